// Connectivity and credentials check.
RETURN 1 AS ok
