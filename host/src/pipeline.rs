//! OpenMetadata's three workflows over a database service, told apart by
//! `sourceConfig.config.type`: `DatabaseMetadata` creates the entities; `Profiler` adds
//! profiles to the tables already in OpenMetadata; `AutoClassification` (1.6+) adds PII tags
//! to their columns. Each reads only its own pipeline's fields (OpenMetadata's pydantic models
//! forbid the others), and the last two honour their options here, in what the sink sends:
//! which metrics and columns a profile keeps, which column tags a table gains.

use serde::Deserialize;
use serde_json::{Value, json};
use serde_yaml::Value as Yaml;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PipelineKind {
    #[default]
    Metadata,
    Profiler,
    AutoClassification,
}

const COMMON: &[&str] = &[
    "type",
    "databaseFilterPattern",
    "schemaFilterPattern",
    "tableFilterPattern",
    "useFqnForFiltering",
    "includeViews",
];
const METADATA: &[&str] = &[
    "markDeletedTables",
    "includeTables",
    "includeTags",
    "includeOwners",
    "includeStoredProcedures",
    "markDeletedStoredProcedures",
    "queryLogDuration",
    "queryParsingTimeoutLimit",
];
const PROFILER: &[&str] = &[
    "profileSample",
    "profileSampleType",
    "profileSampleConfig",
    "computeMetrics",
    "computeTableMetrics",
    "computeColumnMetrics",
    "metrics",
    "processPiiSensitive",
    "confidence",
    "generateSampleData",
    "threadCount",
    "timeoutSeconds",
    "useStatistics",
    "randomizedSample",
    "samplingMethodType",
    "processingEngine",
    "classificationFilterPattern",
];
const AUTO_CLASSIFICATION: &[&str] = &[
    "storeSampleData",
    "enableAutoClassification",
    "confidence",
    "sampleDataCount",
    "classificationLanguage",
    "classificationFilterPattern",
];

/// OpenMetadata 2.0's `MetricType`: the names `metrics` and `includeColumns[].metrics` take.
const METRICS: &[&str] = &[
    "mean",
    "valuesCount",
    "countInSet",
    "columnCount",
    "distinctCount",
    "distinctProportion",
    "iLikeCount",
    "likeCount",
    "notLikeCount",
    "regexCount",
    "notRegexCount",
    "max",
    "maxLength",
    "min",
    "minLength",
    "nullCount",
    "rowCount",
    "stddev",
    "sum",
    "uniqueCount",
    "uniqueProportion",
    "columnNames",
    "duplicateCount",
    "iLikeRatio",
    "likeRatio",
    "nullProportion",
    "interQuartileRange",
    "nonParametricSkew",
    "median",
    "firstQuartile",
    "thirdQuartile",
    "system",
    "histogram",
    "cardinalityDistribution",
    "valueRank",
    "nullMissingCount",
];

/// A pipeline field that cannot be read: where, and why.
#[derive(Debug)]
pub struct Invalid {
    pub path: String,
    pub message: String,
}

impl PipelineKind {
    /// The pipeline `sourceConfig.config.type` names.
    pub fn of(kind: Option<&str>) -> Result<PipelineKind, Invalid> {
        match kind {
            None | Some("DatabaseMetadata") => Ok(PipelineKind::Metadata),
            Some("Profiler") => Ok(PipelineKind::Profiler),
            Some("AutoClassification") => Ok(PipelineKind::AutoClassification),
            Some(other) => Err(Invalid {
                path: "source.sourceConfig.config.type".into(),
                message: format!(
                    "`{}` is not DatabaseMetadata, Profiler or AutoClassification",
                    crate::sanitize::name(other)
                ),
            }),
        }
    }

    /// `sourceConfig.config.type` as OpenMetadata writes it.
    pub fn source_config_type(self) -> &'static str {
        match self {
            PipelineKind::Metadata => "DatabaseMetadata",
            PipelineKind::Profiler => "Profiler",
            PipelineKind::AutoClassification => "AutoClassification",
        }
    }

    /// The ingestion pipeline's `pipelineType`.
    pub fn pipeline_type(self) -> &'static str {
        match self {
            PipelineKind::Metadata => "metadata",
            PipelineKind::Profiler => "profiler",
            PipelineKind::AutoClassification => "autoClassification",
        }
    }

    fn fields(self) -> &'static [&'static str] {
        match self {
            PipelineKind::Metadata => METADATA,
            PipelineKind::Profiler => PROFILER,
            PipelineKind::AutoClassification => AUTO_CLASSIFICATION,
        }
    }

    /// Every field of `sourceConfig.config` belongs to this pipeline.
    pub fn check_fields(self, source_config: Option<&Yaml>) -> Result<(), Invalid> {
        let Some(Yaml::Mapping(fields)) = source_config else {
            return Ok(());
        };
        for name in fields.keys().filter_map(Yaml::as_str) {
            if !COMMON.contains(&name) && !self.fields().contains(&name) {
                return Err(Invalid {
                    path: format!("source.sourceConfig.config.{}", crate::sanitize::name(name)),
                    message: format!(
                        "is not a field of a `{}` pipeline",
                        self.source_config_type()
                    ),
                });
            }
        }
        Ok(())
    }
}

/// `processor.config` of a profiler workflow (`orm-profiler`'s `ProfilerProcessorConfig`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessorConfig {
    #[serde(default)]
    pub table_config: Vec<TableConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TableConfig {
    pub fully_qualified_name: String,
    #[serde(default)]
    pub column_config: Option<ColumnConfig>,
    #[serde(default)]
    pub profile_sample: Option<f64>,
    #[serde(default)]
    pub profile_sample_type: Option<Yaml>,
    #[serde(default)]
    pub profile_sample_config: Option<Yaml>,
    #[serde(default)]
    pub profile_query: Option<String>,
    #[serde(default)]
    pub partition_config: Option<Yaml>,
    #[serde(default)]
    pub sampling_method_type: Option<Yaml>,
    #[serde(default)]
    pub randomized_sample: Option<bool>,
}

/// `columnConfig`, as `tableProfilerConfig` and the processor's `tableConfig` give it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ColumnConfig {
    #[serde(default)]
    pub include_columns: Vec<IncludedColumn>,
    #[serde(default)]
    pub exclude_columns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IncludedColumn {
    pub column_name: String,
    #[serde(default)]
    pub metrics: Option<Vec<String>>,
}

impl ProcessorConfig {
    /// From the workflow's `processor.config`.
    pub fn of(config: Option<&Yaml>) -> Result<ProcessorConfig, Invalid> {
        let Some(config) = config.filter(|c| !c.is_null()) else {
            return Ok(ProcessorConfig::default());
        };
        serde_path_to_error::deserialize(config.clone()).map_err(|e| Invalid {
            path: format!("processor.config.{}", e.path()),
            message: e.inner().to_string(),
        })
    }
}

/// What a profiler workflow sends of each profile.
#[derive(Debug, Clone)]
pub struct ProfileOptions {
    /// `computeMetrics: false` (1.3 to 1.9): no profile at all.
    pub compute: bool,
    pub table_metrics: bool,
    pub column_metrics: bool,
    /// 2.0's `metrics`: the metrics kept, when set.
    pub metrics: Option<Vec<String>>,
    pub tables: Vec<TableConfig>,
}

/// The profiler's own switches, as `sourceConfig.config` sets them.
#[derive(Debug, Clone, Default)]
pub struct MetricSwitches {
    pub compute_metrics: Option<bool>,
    pub compute_table_metrics: Option<bool>,
    pub compute_column_metrics: Option<bool>,
    pub metrics: Option<Vec<String>>,
}

impl ProfileOptions {
    pub fn of(
        config: MetricSwitches,
        processor: ProcessorConfig,
    ) -> Result<ProfileOptions, Invalid> {
        if let Some(metrics) = &config.metrics {
            check_metrics("source.sourceConfig.config.metrics", metrics)?;
        }
        for (i, table) in processor.table_config.iter().enumerate() {
            for column in table.column_config.iter().flat_map(|c| &c.include_columns) {
                if let Some(metrics) = &column.metrics {
                    check_metrics(&format!("processor.config.tableConfig.{i}"), metrics)?;
                }
            }
        }
        Ok(ProfileOptions {
            compute: config.compute_metrics.unwrap_or(true),
            table_metrics: config.compute_table_metrics.unwrap_or(true),
            column_metrics: config.compute_column_metrics.unwrap_or(true),
            metrics: config.metrics,
            tables: processor.table_config,
        })
    }

    /// The processor's `columnConfig` for a table, which wins over the server's
    /// `tableProfilerConfig` (as OpenMetadata's profiler reads them).
    pub fn column_config<'a>(
        &'a self,
        table_fqn: &str,
        server: Option<&'a ColumnConfig>,
    ) -> Option<&'a ColumnConfig> {
        self.tables
            .iter()
            .find(|t| t.fully_qualified_name == table_fqn)
            .and_then(|t| t.column_config.as_ref())
            .or(server)
    }

    /// The `CreateTableProfileRequest` to send: only columns the server's table has
    /// (`server_columns`, the table's `columns` as the server returns them), those `columns`
    /// selects, the metrics asked for; and how many sampled columns the table does not have.
    /// `None` when nothing is computed.
    ///
    /// Columns are selected as OpenMetadata's profiler does (`profiler/processor/core.py`,
    /// `columns`): `includeColumns` wins (`columnName: all` is every column, with its
    /// metrics), else `excludeColumns` leaves columns out; a parent's name covers its children.
    pub fn shape(
        &self,
        profile: &Value,
        server_columns: &Value,
        columns: Option<&ColumnConfig>,
    ) -> Option<(Value, usize)> {
        if !self.compute {
            return None;
        }
        let paths: std::collections::HashSet<String> =
            column_paths(server_columns).into_iter().collect();
        let mut table = profile["tableProfile"].clone();
        if !self.table_metrics {
            table = json!({ "timestamp": table["timestamp"] });
        } else if let Some(object) = table.as_object_mut() {
            let top_level = server_columns.as_array().map_or(0, Vec::len);
            object.insert("columnCount".into(), json!(top_level));
            object.retain(|key, _| self.keeps(key, None));
        }
        let covers = |given: &str, name: &str| {
            given == name
                || name
                    .strip_prefix(given)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        let mut kept = Vec::new();
        let mut not_columns = 0;
        for column in profile["columnProfile"].as_array().into_iter().flatten() {
            if !self.column_metrics {
                break;
            }
            let name = column["name"].as_str().unwrap_or_default();
            if !paths.contains(name) {
                not_columns += 1;
                continue;
            }
            let mut per_column = None;
            if let Some(config) = columns {
                if !config.include_columns.is_empty() {
                    let Some(included) = config.include_columns.iter().find(|c| {
                        c.column_name.eq_ignore_ascii_case("all") || covers(&c.column_name, name)
                    }) else {
                        continue;
                    };
                    per_column = included.metrics.as_deref();
                } else if config.exclude_columns.iter().any(|c| covers(c, name)) {
                    continue;
                }
            }
            let mut column = column.clone();
            if let Some(object) = column.as_object_mut() {
                object.retain(|key, _| self.keeps(key, per_column));
            }
            kept.push(column);
        }
        let mut request = json!({ "tableProfile": table });
        if !kept.is_empty() {
            request["columnProfile"] = Value::Array(kept);
        }
        Some((request, not_columns))
    }

    /// A field that is not a metric (name, timestamp, sizes) stays; a metric stays when the
    /// column's own list, else the pipeline's, names it.
    fn keeps(&self, key: &str, per_column: Option<&[String]>) -> bool {
        if !METRICS.contains(&key) {
            return true;
        }
        match per_column.or(self.metrics.as_deref()) {
            Some(list) => list.iter().any(|m| m.eq_ignore_ascii_case(key)),
            None => true,
        }
    }
}

fn check_metrics(path: &str, metrics: &[String]) -> Result<(), Invalid> {
    for metric in metrics {
        if !METRICS.iter().any(|m| m.eq_ignore_ascii_case(metric)) {
            return Err(Invalid {
                path: path.to_string(),
                message: format!(
                    "`{}` is not one of OpenMetadata's metrics",
                    crate::sanitize::name(metric)
                ),
            });
        }
    }
    Ok(())
}

/// `classificationFilterPattern`: the tables whose tags in OpenMetadata pass it, as
/// OpenMetadata's profiler decides (`profiler/source/fetcher/fetcher_strategy.py`,
/// `filter_classifications`, with `utils/filters.py`'s rule for each tag): each tag's name (its
/// FQN with `useFqnForFiltering`) is matched like Python's `re.match(…, IGNORECASE)`; a table is
/// left out as soon as one of its tags is (with includes, a tag no include matches; else a tag
/// an exclude matches), and a table without tags is left out only when there are includes.
#[derive(Debug, Clone)]
pub struct ClassificationFilter {
    includes: Option<regex_automata::meta::Regex>,
    excludes: Option<regex_automata::meta::Regex>,
    use_fqn: bool,
}

/// The compiled size of one list of patterns, bounded: the workflow is a tenant's.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;
const MAX_PATTERNS: usize = 100;

impl ClassificationFilter {
    pub fn new(
        includes: &[String],
        excludes: &[String],
        use_fqn: bool,
    ) -> Result<Option<ClassificationFilter>, Invalid> {
        if includes.is_empty() && excludes.is_empty() {
            return Ok(None);
        }
        let compile = |list: &[String], which: &str| {
            if list.is_empty() {
                return Ok(None);
            }
            let path = format!("source.sourceConfig.config.classificationFilterPattern.{which}");
            if list.len() > MAX_PATTERNS {
                return Err(Invalid {
                    path,
                    message: format!("more than {MAX_PATTERNS} patterns"),
                });
            }
            regex_automata::meta::Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().case_insensitive(true))
                .configure(
                    regex_automata::meta::Regex::config()
                        .nfa_size_limit(Some(PATTERN_SIZE_LIMIT))
                        .onepass_size_limit(Some(PATTERN_SIZE_LIMIT))
                        .dfa_size_limit(Some(PATTERN_SIZE_LIMIT))
                        .hybrid_cache_capacity(PATTERN_SIZE_LIMIT),
                )
                .build_many(list)
                .map(Some)
                .map_err(|e| Invalid {
                    path,
                    message: format!("a pattern this host cannot read: {e}"),
                })
        };
        Ok(Some(ClassificationFilter {
            includes: compile(includes, "includes")?,
            excludes: compile(excludes, "excludes")?,
            use_fqn,
        }))
    }

    /// Whether a table with these tag labels (as the server returns them) is kept.
    pub fn keeps(&self, labels: &Value) -> bool {
        let names: Vec<String> = labels
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["tagFQN"].as_str())
            .map(|fqn| {
                if self.use_fqn {
                    fqn.to_string()
                } else {
                    tag_name(fqn)
                }
            })
            .filter(|name| !name.is_empty())
            .collect();
        if names.is_empty() {
            return self.includes.is_none();
        }
        let matches = |re: &regex_automata::meta::Regex, name: &str| {
            re.is_match(regex_automata::Input::new(name).anchored(regex_automata::Anchored::Yes))
        };
        names
            .iter()
            .all(|name| match (&self.includes, &self.excludes) {
                (Some(includes), _) => matches(includes, name),
                (None, Some(excludes)) => !matches(excludes, name),
                (None, None) => true,
            })
    }
}

/// A tag's own name: the last part of its FQN (a quoted part may hold dots).
fn tag_name(fqn: &str) -> String {
    let mut last = String::new();
    let mut quoted = false;
    for c in fqn.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => last.clear(),
            _ => last.push(c),
        }
    }
    last
}

/// OpenMetadata's PII tags: the only labels an auto-classification adds.
pub const PII_TAGS: [&str; 2] = ["PII.Sensitive", "PII.NonSensitive"];

/// The JSON Patch (RFC 6902) that adds each `(column path, tag label)` to a table whose
/// columns (as the server returns them) have no tag of that label's classification yet, as
/// OpenMetadata's PII processor patches them: only `PII.Sensitive` or `PII.NonSensitive`, one
/// per column, each `add` after a `test` of the column's name (a table changed since it was read
/// fails its patch rather than tagging another column). Returns the operations and the columns
/// tagged.
pub fn column_tag_patch(server_columns: &Value, labels: &[(String, Value)]) -> (Vec<Value>, usize) {
    let mut operations = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for (path, label) in labels {
        let tag = label["tagFQN"].as_str().unwrap_or_default();
        if !PII_TAGS.contains(&tag) || done.contains(&path.as_str()) {
            continue;
        }
        let Some(pointer) = column_pointer(server_columns, path, "") else {
            continue;
        };
        let column = server_columns.pointer(&pointer).unwrap_or(&Value::Null);
        let has_one = column["tags"].as_array().into_iter().flatten().any(|t| {
            t["tagFQN"]
                .as_str()
                .is_some_and(|fqn| fqn.split('.').next() == Some("PII"))
        });
        if has_one {
            continue;
        }
        operations.push(json!({
            "op": "test", "path": format!("/columns{pointer}/name"), "value": column["name"],
        }));
        operations.push(match column.get("tags") {
            Some(Value::Array(_)) => json!({
                "op": "add", "path": format!("/columns{pointer}/tags/-"), "value": label,
            }),
            _ => json!({
                "op": "add", "path": format!("/columns{pointer}/tags"), "value": [label],
            }),
        });
        done.push(path);
    }
    let tagged = done.len();
    (operations, tagged)
}

/// The JSON Pointer of the column named `path` (`parent.child`) under `base`.
fn column_pointer(columns: &Value, path: &str, base: &str) -> Option<String> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    // A column name holding a dot cannot be told apart from a child: the whole path first.
    let list = columns.as_array()?;
    if let Some(i) = list.iter().position(|c| c["name"] == path) {
        return Some(format!("{base}/{i}"));
    }
    let i = list.iter().position(|c| c["name"] == head)?;
    column_pointer(&list[i]["children"], rest?, &format!("{base}/{i}/children"))
}

/// Calls `visit` with each column (children after their parent) and its profile name:
/// `parent.child` for nested ones.
pub fn each_column(columns: &Value, visit: &mut dyn FnMut(&str, &Value)) {
    fn walk(columns: &Value, prefix: &str, visit: &mut dyn FnMut(&str, &Value)) {
        for column in columns.as_array().into_iter().flatten() {
            let path = format!("{prefix}{}", column["name"].as_str().unwrap_or_default());
            visit(&path, column);
            walk(&column["children"], &format!("{path}."), visit);
        }
    }
    walk(columns, "", visit);
}

/// Column profile names of the server's columns.
pub fn column_paths(columns: &Value) -> Vec<String> {
    let mut out = Vec::new();
    each_column(columns, &mut |path, _| out.push(path.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(metrics: Option<&[&str]>) -> ProfileOptions {
        ProfileOptions {
            compute: true,
            table_metrics: true,
            column_metrics: true,
            metrics: metrics.map(|m| m.iter().map(|s| s.to_string()).collect()),
            tables: Vec::new(),
        }
    }

    fn profile() -> Value {
        json!({
            "tableProfile": {"timestamp": 1, "rowCount": 300.0, "columnCount": 5, "sizeInByte": 10.0},
            "columnProfile": [
                {"name": "pk", "timestamp": 1, "valuesCount": 300.0, "nullCount": 0.0, "min": 1.0},
                {"name": "email", "timestamp": 1, "valuesCount": 30.0, "nullCount": 270.0},
                {"name": "address.city", "timestamp": 1, "valuesCount": 3.0},
                {"name": "rare", "timestamp": 1, "valuesCount": 1.0},
            ]
        })
    }

    fn columns() -> Value {
        json!([{"name": "pk"}, {"name": "email"}, {"name": "address", "children": [{"name": "city"}]}])
    }

    #[test]
    fn a_profile_keeps_the_servers_columns_and_the_metrics_asked_for() {
        let (request, not_columns) = options(None).shape(&profile(), &columns(), None).unwrap();
        assert_eq!(not_columns, 1, "`rare` is not a column in OpenMetadata");
        let names: Vec<&str> = request["columnProfile"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["pk", "email", "address.city"]);
        assert_eq!(request["tableProfile"]["columnCount"], 3);

        let (request, _) = options(Some(&["nullCount", "rowCount"]))
            .shape(&profile(), &columns(), None)
            .unwrap();
        assert_eq!(
            request["columnProfile"][0],
            json!({"name": "pk", "timestamp": 1, "nullCount": 0.0})
        );
        assert_eq!(
            request["tableProfile"],
            json!({"timestamp": 1, "rowCount": 300.0, "sizeInByte": 10.0})
        );
    }

    #[test]
    fn include_and_exclude_columns_as_the_profiler_reads_them() {
        let exclude = ColumnConfig {
            include_columns: Vec::new(),
            exclude_columns: vec!["address".into(), "email".into()],
        };
        let (request, _) = options(None)
            .shape(&profile(), &columns(), Some(&exclude))
            .unwrap();
        assert_eq!(request["columnProfile"].as_array().unwrap().len(), 1);
        let include = ColumnConfig {
            include_columns: vec![IncludedColumn {
                column_name: "email".into(),
                metrics: Some(vec!["NULLCOUNT".into()]),
            }],
            exclude_columns: Vec::new(),
        };
        let (request, _) = options(None)
            .shape(&profile(), &columns(), Some(&include))
            .unwrap();
        assert_eq!(
            request["columnProfile"],
            json!([{"name": "email", "timestamp": 1, "nullCount": 270.0}])
        );
        // Includes win over excludes; `all` is every column; a parent covers its children.
        let both = ColumnConfig {
            include_columns: vec![IncludedColumn {
                column_name: "address".into(),
                metrics: None,
            }],
            exclude_columns: vec!["address".into()],
        };
        let (request, _) = options(None)
            .shape(&profile(), &columns(), Some(&both))
            .unwrap();
        assert_eq!(request["columnProfile"][0]["name"], "address.city");
        let all = ColumnConfig {
            include_columns: vec![IncludedColumn {
                column_name: "all".into(),
                metrics: Some(vec!["valuesCount".into()]),
            }],
            exclude_columns: Vec::new(),
        };
        let (request, _) = options(None)
            .shape(&profile(), &columns(), Some(&all))
            .unwrap();
        assert_eq!(request["columnProfile"].as_array().unwrap().len(), 3);
        assert!(request["columnProfile"][0].get("nullCount").is_none());
    }

    #[test]
    fn the_processors_column_config_wins_over_the_servers() {
        let server: ColumnConfig = serde_json::from_value(json!({
            "profileSample": 10, "excludeColumns": ["email"], "includeColumns": []
        }))
        .unwrap();
        let mut options = options(None);
        assert_eq!(options.column_config("t", Some(&server)), Some(&server));
        let own = ColumnConfig {
            include_columns: Vec::new(),
            exclude_columns: vec!["pk".into()],
        };
        options.tables.push(TableConfig {
            fully_qualified_name: "t".into(),
            column_config: Some(own.clone()),
            profile_sample: None,
            profile_sample_type: None,
            profile_sample_config: None,
            profile_query: None,
            partition_config: None,
            sampling_method_type: None,
            randomized_sample: None,
        });
        assert_eq!(options.column_config("t", Some(&server)), Some(&own));
        assert_eq!(options.column_config("u", None), None);
    }

    #[test]
    fn computing_nothing_sends_nothing_and_table_metrics_can_be_left_out() {
        let mut off = options(None);
        off.compute = false;
        assert!(off.shape(&profile(), &columns(), None).is_none());
        let mut no_table = options(None);
        no_table.table_metrics = false;
        no_table.column_metrics = false;
        let (request, _) = no_table.shape(&profile(), &columns(), None).unwrap();
        assert_eq!(request, json!({"tableProfile": {"timestamp": 1}}));
    }

    #[test]
    fn the_patch_tags_untagged_columns_only() {
        let server = json!([
            {"name": "pk", "tags": []},
            {"name": "email"},
            {"name": "ssn", "tags": [{"tagFQN": "PII.NonSensitive"}]},
            {"name": "address", "children": [{"name": "city", "tags": []}]},
        ]);
        let label = |t: &str| json!({"tagFQN": t, "source": "Classification"});
        let (ops, tagged) = column_tag_patch(
            &server,
            &[
                ("email".into(), label("PII.Sensitive")),
                ("ssn".into(), label("PII.Sensitive")),
                ("address.city".into(), label("PII.NonSensitive")),
                ("gone".into(), label("PII.Sensitive")),
            ],
        );
        assert_eq!(tagged, 2);
        assert_eq!(
            ops[0],
            json!({"op": "test", "path": "/columns/1/name", "value": "email"})
        );
        assert_eq!(ops[1]["path"], "/columns/1/tags");
        assert_eq!(ops[1]["value"][0]["tagFQN"], "PII.Sensitive");
        assert_eq!(ops[2]["path"], "/columns/3/children/0/name");
        assert_eq!(ops[3]["path"], "/columns/3/children/0/tags/-");
        // One PII tag a column, and only OpenMetadata's two: a guest's inventions are left out.
        let (ops, tagged) = column_tag_patch(
            &server,
            &[
                ("email".into(), label("PII.Sensitive")),
                ("email".into(), label("PII.NonSensitive")),
                ("pk".into(), label("PII.Invented")),
                ("pk".into(), label("Tier.Tier1")),
            ],
        );
        assert_eq!((ops.len(), tagged), (2, 1));
    }

    #[test]
    fn the_classification_filter_reads_tag_names_or_fqns() {
        let labels = json!([{"tagFQN": "POV.Key Data Asset"}, {"tagFQN": "Tier.Tier1"}]);
        let keep = |includes: &[&str], excludes: &[&str], fqn: bool| {
            let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            ClassificationFilter::new(&own(includes), &own(excludes), fqn)
                .unwrap()
                .unwrap()
                .keeps(&labels)
        };
        // With includes, every tag must pass: one that no include matches leaves the table out.
        assert!(keep(&["key data asset", "tier"], &[], false));
        assert!(!keep(&["key data asset"], &[], false));
        assert!(
            !keep(&["data", "tier"], &[], false),
            "anchored at the start"
        );
        assert!(keep(&["pov\\.key", "tier\\."], &[], true));
        assert!(!keep(&["pov\\.key", "tier\\."], &[], false));
        assert!(!keep(&[], &["tier1"], false));
        assert!(keep(&[], &["tier2"], false));
        // Without tags: left out only when there are includes.
        assert!(
            ClassificationFilter::new(&[], &["x".into()], false)
                .unwrap()
                .unwrap()
                .keeps(&json!([]))
        );
        assert!(
            !ClassificationFilter::new(&["x".into()], &[], false)
                .unwrap()
                .unwrap()
                .keeps(&json!([]))
        );
        assert!(
            ClassificationFilter::new(&[], &[], false)
                .unwrap()
                .is_none()
        );
        assert!(ClassificationFilter::new(&["(?<=a)b".into()], &[], false).is_err());
        assert_eq!(tag_name("Glossary.\"a.b\""), "a.b");
    }

    #[test]
    fn each_pipeline_reads_only_its_own_fields() {
        let yaml: Yaml = serde_yaml::from_str("{type: Profiler, profileSample: 50}").unwrap();
        PipelineKind::Profiler.check_fields(Some(&yaml)).unwrap();
        let error = PipelineKind::AutoClassification
            .check_fields(Some(&yaml))
            .unwrap_err();
        assert_eq!(error.path, "source.sourceConfig.config.profileSample");
        let yaml: Yaml = serde_yaml::from_str("{type: Profiler, markDeletedTables: true}").unwrap();
        assert!(PipelineKind::Profiler.check_fields(Some(&yaml)).is_err());
    }
}
