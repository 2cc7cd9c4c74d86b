// overlaps(kind=None, min_score=0.0): OVERLAPS edges, optionally of one kind, with score >= $min_score.
// Rows: a, b, a_plan, b_plan, a_title, b_title, kind, score; order score desc, a, b.
// Scores are returned unrounded: Neo4jStore rounds them with Python's round(…, 4) (and re-sorts),
// so both backends agree to the last digit.
MATCH (a:Plangraph)-[r:OVERLAPS]->(b:Plangraph)
WHERE ($kind IS NULL OR r.kind = $kind) AND toFloat(coalesce(r.score, 0.0)) >= $min_score
RETURN a.id AS a,
       b.id AS b,
       a.plan AS a_plan,
       b.plan AS b_plan,
       CASE WHEN a.title IS NOT NULL AND a.title <> '' THEN a.title
            WHEN a.name IS NOT NULL AND a.name <> '' THEN a.name ELSE '' END AS a_title,
       CASE WHEN b.title IS NOT NULL AND b.title <> '' THEN b.title
            WHEN b.name IS NOT NULL AND b.name <> '' THEN b.name ELSE '' END AS b_title,
       r.kind AS kind,
       toFloat(coalesce(r.score, 0.0)) AS score
ORDER BY score DESC, a, b
