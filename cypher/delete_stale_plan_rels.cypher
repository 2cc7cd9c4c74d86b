// replace_plans: relationships touching a node owned by $plans that generation $gen did not write.
MATCH (n:Plangraph)
WHERE n.plan IN $plans OR (n:Plan AND n.id IN $plans)
MATCH (n)-[r]-(:Plangraph)
WITH DISTINCT r
WHERE r._gen IS NULL OR r._gen <> $gen
CALL { WITH r DELETE r } IN TRANSACTIONS OF 20000 ROWS
