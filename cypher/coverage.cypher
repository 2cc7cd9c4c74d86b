// coverage(lower=None): for each loaded lower plan L (or just $lower) and each loaded plan U on L's upper
// chain (non-rejected Plan→Plan 上级规划, transitively), per Section S of U that directly CONTAINS
// Task/Project items: upper_items, covered (items with a non-rejected incoming 上级规划 from an item of L),
// share = covered / upper_items (rounded to 3 decimals by Neo4jStore with Python's round).
// Rows: lower_plan, upper_plan, section, section_title, upper_items, covered, share;
// order lower_plan, upper_plan, section.
MATCH (l:Plan)
WHERE (l.loaded IS NULL OR l.loaded <> false) AND ($lower IS NULL OR l.id = $lower)
MATCH (l)(()-[pl:`上级规划` WHERE pl.status IS NULL OR pl.status <> 'rejected']->(:Plan)){1,10}(u:Plan)
WHERE u <> l AND (u.loaded IS NULL OR u.loaded <> false)
WITH DISTINCT l, u
MATCH (s:Section {plan: u.id})-[:CONTAINS]->(i:Plangraph)
WHERE i:Task OR i:Project
WITH l, u, s, i,
     EXISTS {
       MATCH (x:Plangraph)-[r:`上级规划`]->(i)
       WHERE x.plan = l.id AND (x:Task OR x:Project) AND (r.status IS NULL OR r.status <> 'rejected')
     } AS hit
WITH l, u, s, count(i) AS upper_items, sum(CASE WHEN hit THEN 1 ELSE 0 END) AS covered
RETURN l.id AS lower_plan,
       u.id AS upper_plan,
       s.id AS section,
       CASE WHEN s.title IS NOT NULL AND s.title <> '' THEN s.title
            WHEN s.name IS NOT NULL AND s.name <> '' THEN s.name ELSE '' END AS section_title,
       upper_items,
       covered,
       toFloat(covered) / upper_items AS share
ORDER BY lower_plan, upper_plan, section
