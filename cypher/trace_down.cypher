// trace_down(id, max_depth=6): every node that reaches $id through incoming non-rejected 上级规划 links,
// transitively, at its minimum depth. Rows: id, label, plan, title, depth; order depth, id.
// Quantifiers cannot be parameters: the pattern allows 10 hops and $max_depth (validated 0..10) cuts it.
MATCH p = ANY SHORTEST (x:Plangraph)-[r:`上级规划` WHERE r.status IS NULL OR r.status <> 'rejected']->{1,10}(s:Plangraph {id: $id})
WHERE x <> s AND length(p) <= $max_depth
WITH x, min(length(p)) AS depth
RETURN x.id AS id,
       [l IN labels(x) WHERE l <> 'Plangraph'][0] AS label,
       x.plan AS plan,
       CASE WHEN x.title IS NOT NULL AND x.title <> '' THEN x.title
            WHEN x.name IS NOT NULL AND x.name <> '' THEN x.name ELSE '' END AS title,
       depth
ORDER BY depth, id
