// orphans(kind): Task/Project items that are
//   no_upper      — in a plan with an upper plan, but without an outgoing 上级规划 that is neither
//                   rejected nor merely suggested (reason local | pending_review | upper_not_loaded | no_match;
//                   pending_review: only suggested links, i.e. a plausible parent awaits review),
//   not_picked_up — in a plan some loaded plan has as upper plan, without a non-rejected incoming 上级规划
//                   (reason not_broken_down),
//   no_agency     — without an incoming 责任 (reason no_agency).
// Rows: id, label, plan, title, kind, reason; order plan, id.
CALL {
  MATCH (t:Plangraph)
  WHERE $kind = 'no_upper' AND (t:Task OR t:Project)
  MATCH (:Plan {id: t.plan})-[pl:`上级规划`]->(u:Plan)
  WHERE pl.status IS NULL OR pl.status <> 'rejected'
  WITH t, collect(u) AS uppers
  WHERE NOT EXISTS { MATCH (t)-[r:`上级规划`]->() WHERE r.status IS NULL OR NOT r.status IN ['rejected', 'suggested'] }
  RETURN t, CASE WHEN t.local = true THEN 'local'
                 WHEN EXISTS { MATCH (t)-[r:`上级规划`]->() WHERE r.status = 'suggested' } THEN 'pending_review'
                 WHEN all(u IN uppers WHERE u.loaded = false) THEN 'upper_not_loaded'
                 ELSE 'no_match' END AS reason
  UNION ALL
  MATCH (l:Plan)-[pl:`上级规划`]->(u:Plan)
  WHERE $kind = 'not_picked_up' AND (pl.status IS NULL OR pl.status <> 'rejected')
    AND (l.loaded IS NULL OR l.loaded <> false)
  WITH DISTINCT u
  MATCH (t:Plangraph)
  WHERE t.plan = u.id AND (t:Task OR t:Project)
    AND NOT EXISTS { MATCH ()-[r:`上级规划`]->(t) WHERE r.status IS NULL OR r.status <> 'rejected' }
  RETURN t, 'not_broken_down' AS reason
  UNION ALL
  MATCH (t:Plangraph)
  WHERE $kind = 'no_agency' AND (t:Task OR t:Project) AND NOT EXISTS { MATCH ()-[:`责任`]->(t) }
  RETURN t, 'no_agency' AS reason
}
RETURN t.id AS id,
       [l IN labels(t) WHERE l <> 'Plangraph'][0] AS label,
       t.plan AS plan,
       CASE WHEN t.title IS NOT NULL AND t.title <> '' THEN t.title
            WHEN t.name IS NOT NULL AND t.name <> '' THEN t.name ELSE '' END AS title,
       $kind AS kind,
       reason
ORDER BY plan, id
