MATCH (a:Plangraph {id: $source})-[r]->(b:Plangraph)
WHERE ($type IS NULL OR type(r) = $type) AND ($target IS NULL OR b.id = $target)
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
ORDER BY type, source, target
