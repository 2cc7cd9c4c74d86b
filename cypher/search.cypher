// search(text, limit=20): Task/Project/Indicator whose title, text or name contains the text
// (case-insensitive substring). Rows: id, label, plan, title; order plan, id.
// $needle is the lower-cased text. $lucene is a phrase query for the cjk full-text index, set only when
// the text is 2..64 Han characters: the index's bigrams then find every substring match and the
// CONTAINS filter below keeps exactly those. Otherwise $lucene is null and the three labels are scanned,
// so user input never reaches the Lucene parser.
CALL {
  WITH $lucene AS q
  WITH q WHERE q IS NOT NULL
  CALL db.index.fulltext.queryNodes('plangraph_text', q) YIELD node
  RETURN node AS n
  UNION
  WITH $lucene AS q
  WITH q WHERE q IS NULL
  MATCH (n:Plangraph)
  WHERE n:Task OR n:Project OR n:Indicator
  RETURN n
}
WITH n
WHERE $needle <> ''
  AND any(v IN [n.title, n.text, n.name] WHERE v IS NOT NULL AND toLower(toString(v)) CONTAINS $needle)
RETURN n.id AS id,
       [l IN labels(n) WHERE l <> 'Plangraph'][0] AS label,
       n.plan AS plan,
       CASE WHEN n.title IS NOT NULL AND n.title <> '' THEN n.title
            WHEN n.name IS NOT NULL AND n.name <> '' THEN n.name ELSE '' END AS title
ORDER BY plan, id
LIMIT $limit
