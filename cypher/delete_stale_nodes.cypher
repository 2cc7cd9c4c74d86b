// replace_all, step 4: nodes not written by load generation $gen are stale.
MATCH (n:Plangraph)
WHERE n._gen IS NULL OR n._gen <> $gen
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
