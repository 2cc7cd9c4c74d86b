// replace_plans: nodes owned by $plans (their `plan`, or the Plan itself) that generation $gen did not write.
MATCH (n:Plangraph)
WHERE (n.plan IN $plans OR (n:Plan AND n.id IN $plans)) AND (n._gen IS NULL OR n._gen <> $gen)
CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
