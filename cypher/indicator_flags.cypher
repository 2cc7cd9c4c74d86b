// indicator_flags(): one row per consistency flag on a non-rejected Indicator→Indicator 上级规划 link
// (flags[k] with reasons[k], '' when reasons is shorter). Rows: lower, upper, lower_name, upper_name,
// flag, reason; order lower, upper, flag (then position in the list).
MATCH (a:Indicator)-[r:`上级规划`]->(b:Indicator)
WHERE (r.status IS NULL OR r.status <> 'rejected') AND size(coalesce(r.flags, [])) > 0
WITH a, b, r.flags AS flags, coalesce(r.reasons, []) AS reasons
UNWIND range(0, size(flags) - 1) AS k
RETURN a.id AS lower,
       b.id AS upper,
       a.name AS lower_name,
       b.name AS upper_name,
       flags[k] AS flag,
       CASE WHEN k < size(reasons) THEN reasons[k] ELSE '' END AS reason
ORDER BY lower, upper, flag, k
