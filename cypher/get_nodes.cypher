// All nodes, optionally of one label and/or one plan (nulls mean "any").
MATCH (n:Plangraph)
WHERE ($label IS NULL OR $label IN labels(n)) AND ($plan IS NULL OR n.plan = $plan)
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Plangraph'][0] AS label, properties(n) AS props
ORDER BY id
