// Edges, optionally filtered by type, source id and/or target id (nulls mean "any").
MATCH (a:Plangraph)-[r]->(b:Plangraph)
WHERE ($type IS NULL OR type(r) = $type)
  AND ($source IS NULL OR a.id = $source) AND ($target IS NULL OR b.id = $target)
RETURN type(r) AS type, a.id AS source, b.id AS target, properties(r) AS props
ORDER BY type, source, target
