MATCH (n:Plangraph {id: $id})
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Plangraph'][0] AS label, properties(n) AS props
