// Schema for the plangraph model (idempotent: every statement is IF NOT EXISTS).
// Every node carries :Plangraph next to its own label, so the loader can match any node by id
// through one unique index and never touches other data in a shared database.
CREATE CONSTRAINT plangraph_id IF NOT EXISTS FOR (n:Plangraph) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT plan_id IF NOT EXISTS FOR (n:Plan) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT section_id IF NOT EXISTS FOR (n:Section) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT project_id IF NOT EXISTS FOR (n:Project) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT indicator_id IF NOT EXISTS FOR (n:Indicator) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT agency_id IF NOT EXISTS FOR (n:Agency) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT region_id IF NOT EXISTS FOR (n:Region) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT measure_id IF NOT EXISTS FOR (n:Measure) REQUIRE n.id IS UNIQUE;
CREATE INDEX plangraph_plan IF NOT EXISTS FOR (n:Plangraph) ON (n.plan);
CREATE INDEX agency_name IF NOT EXISTS FOR (n:Agency) ON (n.name);
CREATE INDEX region_name IF NOT EXISTS FOR (n:Region) ON (n.name);
CREATE INDEX plan_level IF NOT EXISTS FOR (n:Plan) ON (n.level);
CREATE INDEX link_status IF NOT EXISTS FOR ()-[r:`上级规划`]-() ON (r.status);
CREATE FULLTEXT INDEX plangraph_text IF NOT EXISTS
FOR (n:Task|Project|Indicator) ON EACH [n.title, n.text, n.name]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}};
