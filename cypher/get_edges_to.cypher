MATCH (a:Plangraph)-[r]->(b:Plangraph {id: $target})
WHERE ($type IS NULL OR type(r) = $type)
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
ORDER BY type, source, target
