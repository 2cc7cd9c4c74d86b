// responsibility(plan=None): the agency × item matrix, one row per 责任 edge, optionally for one plan.
// Rows: agency, agency_name, target, target_title, plan, role; order agency, target.
MATCH (a:Plangraph)-[r:`责任`]->(t:Plangraph)
WHERE $plan IS NULL OR t.plan = $plan
RETURN a.id AS agency,
       a.name AS agency_name,
       t.id AS target,
       CASE WHEN t.title IS NOT NULL AND t.title <> '' THEN t.title
            WHEN t.name IS NOT NULL AND t.name <> '' THEN t.name ELSE '' END AS target_title,
       t.plan AS plan,
       r.role AS role
ORDER BY agency, target
