// replace_all, step 3: relationships not written by load generation $gen are stale.
MATCH (:Plangraph)-[r]->(:Plangraph)
WHERE r._gen IS NULL OR r._gen <> $gen
CALL { WITH r DELETE r } IN TRANSACTIONS OF 20000 ROWS
