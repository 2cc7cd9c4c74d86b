// coverage(lower=None): for each loaded lower plan L (or just $lower) and each loaded plan U on L's upper
// chain (non-rejected Plan→Plan 上级规划, transitively), per Section S of U that directly CONTAINS
// Task/Project items: upper_items, covered (items with a non-rejected incoming 上级规划 from an item of L),
// share = covered / upper_items (rounded to 3 decimals by Neo4jStore with Python's round).
// Rows: lower_plan, upper_plan, section, section_title, upper_items, covered, share;
// order lower_plan, upper_plan, section.
// Each upper item's set of picking plans is computed once, then matched against every lower plan.
MATCH (l:Plan)
WHERE (l.loaded IS NULL OR l.loaded <> false) AND ($lower IS NULL OR l.id = $lower)
MATCH (l)(()-[pl:`上级规划` WHERE pl.status IS NULL OR pl.status <> 'rejected']->(:Plan)){1,10}(u:Plan)
WHERE u <> l AND (u.loaded IS NULL OR u.loaded <> false)
WITH u, collect(DISTINCT l.id) AS lowers
MATCH (s:Section {plan: u.id})-[:CONTAINS]->(i:Plangraph)
WHERE i:Task OR i:Project
WITH u, lowers, s, i,
     COLLECT {
       MATCH (x:Plangraph)-[r:`上级规划`]->(i)
       WHERE (x:Task OR x:Project) AND (r.status IS NULL OR r.status <> 'rejected')
       RETURN DISTINCT x.plan
     } AS pickers
WITH u, lowers, s, count(i) AS upper_items, collect(pickers) AS picked
UNWIND lowers AS lower_plan
WITH lower_plan, u, s, upper_items, size([p IN picked WHERE lower_plan IN p]) AS covered
RETURN lower_plan,
       u.id AS upper_plan,
       s.id AS section,
       CASE WHEN s.title IS NOT NULL AND s.title <> '' THEN s.title
            WHEN s.name IS NOT NULL AND s.name <> '' THEN s.name ELSE '' END AS section_title,
       upper_items,
       covered,
       toFloat(covered) / upper_items AS share
ORDER BY lower_plan, upper_plan, section
