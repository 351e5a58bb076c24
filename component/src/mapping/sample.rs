//! Columns from a sample of items (opt-in with `connectionOptions.sampleSize`). Each item is
//! looked at once and dropped: what stays is, per attribute path, counts and bounded
//! statistics, never a value.
//!
//! * Every attribute becomes a column typed from DynamoDB's own descriptors (S, N, B, BOOL,
//!   NULL, M, L, SS, NS, BS); maps and lists of maps get their fields as child columns; sets
//!   are `set` columns of their element type; an attribute seen with several types is a
//!   `union` whose members the display names (`union<number,string>`); `NULL` beside one type
//!   makes it nullable, not a union.
//! * Every column, the key columns included, gets its coverage (values sampled, how many had
//!   it, a type histogram) and a profile after OpenMetadata's `ColumnProfile` (values, nulls
//!   with missing counted as null, distinct and unique values, min and max of numbers,
//!   lengths of strings).
//! * With a PII threshold, each column is classified by its name and its values
//!   ([`crate::pii`]); a column found to hold PII gets a suggested `PII.*` label, the
//!   recogniser and confidence in its description, and no min or max in its profile.
//!
//! Nothing depends on the order the items came in: columns are sorted by name, histograms by
//! count then type, union members by name.

use crate::catalog::{
    Column, ColumnCoverage, ColumnProfile, DataType, LabelState, LabelType, TagLabel, TypeCount,
};
use crate::pii::{self, ColumnKind, ValueStats};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};

/// Nesting levels followed into maps and lists.
const MAX_DEPTH: usize = 8;
/// Columns a table may gain from sampling, by default.
pub const MAX_COLUMNS: usize = 1000;
/// Distinct values tracked per column; past it the column's distinct count is unknown.
const MAX_DISTINCT_PER_COLUMN: usize = 10_000;
/// Distinct values tracked per table, all columns together.
const MAX_DISTINCT_PER_TABLE: usize = 500_000;

/// How a sample is turned into columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub max_columns: usize,
    /// Classify PII with this confidence threshold (0–100); `None` turns it off.
    pub pii_threshold: Option<u8>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_columns: MAX_COLUMNS,
            pii_threshold: Some(80),
        }
    }
}

/// What was seen of one attribute (or field of a map, or field of maps in a list).
#[derive(Default)]
struct Shape {
    /// Values it had (NULL included).
    present: u32,
    /// Count per DynamoDB type descriptor.
    types: BTreeMap<&'static str, u32>,
    fields: BTreeMap<String, Shape>,
    /// Parent maps seen, for `fields`: the values sampled for a field.
    maps_seen: u32,
    /// Element types seen in its list values.
    elements: BTreeMap<&'static str, u32>,
    stats: Stats,
}

#[derive(Default)]
struct Stats {
    nulls: u32,
    /// min, max and sum of the numbers, and how many.
    numbers: Option<(f64, f64, f64, u32)>,
    /// min, max, sum of string lengths (characters), and how many strings.
    lengths: Option<(u32, u32, u64, u32)>,
    /// Occurrences per value hash.
    distinct: HashMap<u64, u32>,
    /// Past its budget: the distinct count is unknown.
    distinct_off: bool,
    pii: ValueStats,
}

/// Columns for a table from its sampled items.
pub struct Sampler {
    options: Options,
    top: BTreeMap<String, Shape>,
    items: u32,
    since_new_path: u32,
    distinct_left: usize,
    hasher: std::hash::RandomState,
}

/// What finishing a sample added.
pub struct Inferred {
    /// The columns appended after the declared ones.
    pub columns: Vec<Column>,
    /// Something worth a warning (e.g. the column limit was reached).
    pub notes: Vec<String>,
    pub column_cap_reached: bool,
}

impl Sampler {
    pub fn new(options: Options) -> Sampler {
        Sampler {
            options,
            top: BTreeMap::new(),
            items: 0,
            since_new_path: 0,
            distinct_left: MAX_DISTINCT_PER_TABLE,
            hasher: std::hash::RandomState::new(),
        }
    }

    pub fn items(&self) -> u32 {
        self.items
    }

    /// Items observed in a row that brought no attribute path not seen before.
    pub fn since_new_path(&self) -> u32 {
        self.since_new_path
    }

    /// Takes one item (DynamoDB JSON) into account; true when it brought a new path.
    pub fn observe(&mut self, item: &Value) -> bool {
        self.items = self.items.saturating_add(1);
        let mut new_path = false;
        if let Some(attributes) = item.as_object() {
            for (name, value) in attributes {
                let (shape, created) = entry(&mut self.top, name);
                new_path |= created;
                new_path |= observe(shape, value, 0, &mut self.distinct_left, &self.hasher);
            }
        }
        self.since_new_path = if new_path {
            0
        } else {
            self.since_new_path.saturating_add(1)
        };
        new_path
    }

    /// Enriches the top-level columns of `columns` that were sampled (the key columns) and
    /// appends a column for every other attribute seen, within the column cap.
    pub fn finish(self, columns: &mut [Column]) -> Inferred {
        let mut out = Inferred {
            columns: Vec::new(),
            notes: Vec::new(),
            column_cap_reached: false,
        };
        let options = self.options;
        for column in columns.iter_mut().filter(|c| c.parent.is_none()) {
            if let Some((name, shape)) = self.top.get_key_value(&column.name) {
                enrich(column, shape, self.items, &[name.as_str()], options);
            }
        }
        let base = columns.len() as u32;
        let mut position = columns.iter().filter(|c| c.parent.is_none()).count() as u32;
        let mut emitter = Emitter {
            base,
            options,
            columns: &mut out.columns,
        };
        for (name, shape) in &self.top {
            if columns
                .iter()
                .any(|c| c.parent.is_none() && &c.name == name)
            {
                continue;
            }
            position += 1;
            if !emitter.emit(&[name.as_str()], shape, self.items, position, None) {
                out.column_cap_reached = true;
                break;
            }
        }
        if out.column_cap_reached {
            out.notes.push(format!(
                "more than {} attributes in the sample; the rest are not ingested",
                options.max_columns
            ));
        }
        out
    }
}

/// Columns for the attributes of `items` not already in `declared`: a whole sample at once.
pub fn infer(items: &[Value], declared: &[Column]) -> Inferred {
    let mut sampler = Sampler::new(Options::default());
    for item in items {
        sampler.observe(item);
    }
    let mut columns = declared.to_vec();
    sampler.finish(&mut columns)
}

fn entry<'a>(map: &'a mut BTreeMap<String, Shape>, name: &str) -> (&'a mut Shape, bool) {
    let created = !map.contains_key(name);
    (map.entry(name.to_string()).or_default(), created)
}

/// Records `value`; true when a path was seen for the first time.
fn observe(
    shape: &mut Shape,
    value: &Value,
    depth: usize,
    distinct_left: &mut usize,
    hasher: &std::hash::RandomState,
) -> bool {
    shape.present = shape.present.saturating_add(1);
    let Some((descriptor, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        *shape.types.entry("?").or_default() += 1;
        return false;
    };
    let descriptor = canonical(descriptor);
    *shape.types.entry(descriptor).or_default() += 1;
    shape.stats.record(descriptor, inner, distinct_left, hasher);
    if depth >= MAX_DEPTH {
        return false;
    }
    match (descriptor, inner) {
        ("M", Value::Object(fields)) => observe_fields(shape, fields, depth, distinct_left, hasher),
        ("L", Value::Array(elements)) => {
            let mut new_path = false;
            for element in elements {
                let Some((element_type, element_inner)) =
                    element.as_object().and_then(|o| o.iter().next())
                else {
                    continue;
                };
                let element_type = canonical(element_type);
                *shape.elements.entry(element_type).or_default() += 1;
                match (element_type, element_inner) {
                    ("M", Value::Object(fields)) => {
                        new_path |= observe_fields(shape, fields, depth, distinct_left, hasher)
                    }
                    ("S", Value::String(s)) => shape.stats.pii.observe_string(s),
                    ("N", Value::String(n)) => shape.stats.pii.observe_number(n),
                    _ => {}
                }
            }
            new_path
        }
        _ => false,
    }
}

fn observe_fields(
    shape: &mut Shape,
    fields: &Map<String, Value>,
    depth: usize,
    distinct_left: &mut usize,
    hasher: &std::hash::RandomState,
) -> bool {
    shape.maps_seen = shape.maps_seen.saturating_add(1);
    let mut new_path = false;
    for (name, value) in fields {
        let (field, created) = entry(&mut shape.fields, name);
        new_path |= created;
        new_path |= observe(field, value, depth + 1, distinct_left, hasher);
    }
    new_path
}

impl Stats {
    fn record(
        &mut self,
        descriptor: &str,
        inner: &Value,
        distinct_left: &mut usize,
        hasher: &std::hash::RandomState,
    ) {
        match (descriptor, inner) {
            ("NULL", _) => {
                self.nulls = self.nulls.saturating_add(1);
                return;
            }
            ("N", Value::String(n)) => {
                self.pii.observe_number(n);
                if let Some(x) = crate::number::parse_f64(n)
                    && x.is_finite()
                {
                    self.numbers = Some(match self.numbers {
                        None => (x, x, x, 1),
                        Some((lo, hi, sum, n)) => {
                            (lo.min(x), hi.max(x), sum + x, n.saturating_add(1))
                        }
                    });
                }
            }
            ("S", Value::String(s)) => {
                self.pii.observe_string(s);
                let length = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
                self.lengths = Some(match self.lengths {
                    None => (length, length, u64::from(length), 1),
                    Some((lo, hi, sum, n)) => (
                        lo.min(length),
                        hi.max(length),
                        sum + u64::from(length),
                        n.saturating_add(1),
                    ),
                });
            }
            ("SS", Value::Array(values)) => {
                for v in values.iter().filter_map(Value::as_str) {
                    self.pii.observe_string(v);
                }
            }
            ("NS", Value::Array(values)) => {
                for v in values.iter().filter_map(Value::as_str) {
                    self.pii.observe_number(v);
                }
            }
            _ => {}
        }
        self.count_distinct(descriptor, inner, distinct_left, hasher);
    }

    /// Counts the value by a keyed hash of its canonical form: the value itself is not kept.
    fn count_distinct(
        &mut self,
        descriptor: &str,
        inner: &Value,
        distinct_left: &mut usize,
        hasher: &std::hash::RandomState,
    ) {
        if self.distinct_off {
            return;
        }
        let mut h = hasher.build_hasher();
        h.write(descriptor.as_bytes());
        match inner {
            Value::String(s) => h.write(s.as_bytes()),
            other => h.write(other.to_string().as_bytes()),
        }
        let key = h.finish();
        if let Some(count) = self.distinct.get_mut(&key) {
            *count = count.saturating_add(1);
        } else if self.distinct.len() < MAX_DISTINCT_PER_COLUMN && *distinct_left > 0 {
            *distinct_left -= 1;
            self.distinct.insert(key, 1);
        } else {
            *distinct_left += self.distinct.len();
            self.distinct = HashMap::new();
            self.distinct_off = true;
        }
    }
}

struct Emitter<'a> {
    base: u32,
    options: Options,
    columns: &'a mut Vec<Column>,
}

impl Emitter<'_> {
    /// Pushes the column for `shape` and its children; false when the column cap is reached.
    fn emit(
        &mut self,
        path: &[&str],
        shape: &Shape,
        sampled: u32,
        position: u32,
        parent: Option<u32>,
    ) -> bool {
        if self.columns.len() >= self.options.max_columns {
            return false;
        }
        let (data_type, data_type_display, array_data_type) = typing(shape);
        let name = path.last().copied().unwrap_or_default();
        let mut column = Column::new(name, data_type, data_type_display, position);
        column.array_data_type = array_data_type;
        column.parent = parent;
        enrich(&mut column, shape, sampled, path, self.options);
        let index = self.base + self.columns.len() as u32;
        self.columns.push(column);
        for (child_position, (child, child_shape)) in shape.fields.iter().enumerate() {
            let mut child_path = path.to_vec();
            child_path.push(child.as_str());
            if !self.emit(
                &child_path,
                child_shape,
                shape.maps_seen,
                child_position as u32 + 1,
                Some(index),
            ) {
                return false;
            }
        }
        true
    }
}

/// Coverage, profile, description and PII label of a column from its shape; `sampled` is
/// how many values of its parent were sampled (items, for a top-level attribute).
fn enrich(column: &mut Column, shape: &Shape, sampled: u32, path: &[&str], options: Options) {
    let mut types: Vec<TypeCount> = shape
        .types
        .iter()
        .map(|(t, n)| TypeCount {
            type_name: scalar(t).1.to_string(),
            values: *n,
        })
        .collect();
    types.sort_by(|a, b| b.values.cmp(&a.values).then(a.type_name.cmp(&b.type_name)));
    column.coverage = Some(ColumnCoverage {
        sampled,
        present: shape.present,
        types,
    });
    let finding = options
        .pii_threshold
        .and_then(|threshold| pii::classify(path, kind(shape), Some(&shape.stats.pii), threshold));
    column.profile = Some(profile(shape, sampled, finding.is_some()));

    let mut description = column
        .description
        .take()
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    if shape.present < sampled {
        description.push_str(&format!(
            "Present in {} of {sampled} sampled values.",
            shape.present
        ));
    } else {
        description.push_str(&format!("Present in all {sampled} sampled values."));
    }
    if shape.stats.nulls > 0 && column.data_type != DataType::Union {
        description.push_str(" Sometimes NULL.");
    }
    if let Some(finding) = finding {
        description.push_str(&format!(
            " PII: {} ({}; recogniser {}, confidence {}).",
            finding.sensitivity.tag(),
            finding.what,
            finding.recogniser,
            finding.confidence
        ));
        let tag = finding.sensitivity.tag();
        column.tags.push(TagLabel {
            classification: "PII".to_string(),
            tag: tag.to_string(),
            tag_fqn: format!("PII.{tag}"),
            label_type: LabelType::Automated,
            state: LabelState::Suggested,
        });
    }
    column.description = Some(description);
}

fn profile(shape: &Shape, sampled: u32, pii: bool) -> ColumnProfile {
    let stats = &shape.stats;
    let non_null = shape.present.saturating_sub(stats.nulls);
    let (distinct, unique) = if stats.distinct_off || non_null == 0 {
        (None, None)
    } else {
        (
            Some(stats.distinct.len() as u64),
            Some(stats.distinct.values().filter(|n| **n == 1).count() as u64),
        )
    };
    let numbers = stats.numbers.filter(|_| !pii);
    ColumnProfile {
        values_count: u64::from(sampled),
        null_count: u64::from(sampled.saturating_sub(shape.present) + stats.nulls),
        distinct_count: distinct,
        unique_count: unique,
        min: numbers.map(|(lo, ..)| lo),
        max: numbers.map(|(_, hi, ..)| hi),
        // A sum past f64's range (numbers near 1e308) has no mean worth sending.
        mean: numbers
            .map(|(_, _, sum, n)| sum / f64::from(n))
            .filter(|m| m.is_finite()),
        min_length: stats.lengths.map(|(lo, ..)| lo),
        max_length: stats.lengths.map(|(_, hi, ..)| hi),
        mean_length: stats
            .lengths
            .filter(|l| l.3 > 0)
            .map(|(_, _, sum, n)| sum as f64 / f64::from(n)),
    }
}

/// The column's kind for PII classification: its most frequent non-null type.
fn kind(shape: &Shape) -> ColumnKind {
    let dominant = shape
        .types
        .iter()
        .filter(|(t, _)| **t != "NULL")
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(t, _)| *t);
    match dominant {
        Some("S") => ColumnKind::String,
        Some("N") => ColumnKind::Number,
        Some("BOOL") => ColumnKind::Boolean,
        Some("B") => ColumnKind::Binary,
        Some("M" | "L" | "SS" | "NS" | "BS") => ColumnKind::Container,
        _ => ColumnKind::Unknown,
    }
}

fn canonical(descriptor: &str) -> &'static str {
    match descriptor {
        "S" => "S",
        "N" => "N",
        "B" => "B",
        "BOOL" => "BOOL",
        "NULL" => "NULL",
        "M" => "M",
        "L" => "L",
        "SS" => "SS",
        "NS" => "NS",
        "BS" => "BS",
        _ => "?",
    }
}

fn scalar(descriptor: &str) -> (DataType, &'static str) {
    match descriptor {
        "S" => (DataType::String, "string"),
        "N" => (DataType::Number, "number"),
        "B" => (DataType::Binary, "binary"),
        "BOOL" => (DataType::Boolean, "boolean"),
        "NULL" => (DataType::Null, "null"),
        "M" => (DataType::Map, "map"),
        "L" => (DataType::Array, "array"),
        "SS" => (DataType::Set, "set<string>"),
        "NS" => (DataType::Set, "set<number>"),
        "BS" => (DataType::Set, "set<binary>"),
        _ => (DataType::Unknown, "unknown"),
    }
}

/// Type, display and element type of a shape. `NULL` next to another type makes that type
/// nullable rather than a union.
fn typing(shape: &Shape) -> (DataType, String, Option<DataType>) {
    let mut types: Vec<&str> = shape.types.keys().copied().collect();
    if types.len() > 1 {
        types.retain(|t| *t != "NULL");
    }
    if types.len() > 1 {
        let mut names: Vec<&str> = types.iter().map(|t| scalar(t).1).collect();
        names.sort_unstable();
        names.dedup();
        return (DataType::Union, format!("union<{}>", names.join(",")), None);
    }
    let t = types.first().copied().unwrap_or("?");
    let (data_type, display) = scalar(t);
    let element = match t {
        "SS" => Some(DataType::String),
        "NS" => Some(DataType::Number),
        "BS" => Some(DataType::Binary),
        "L" => Some(match shape.elements.len() {
            0 => DataType::Unknown,
            1 => scalar(shape.elements.keys().next().copied().unwrap_or("?")).0,
            _ => DataType::Union,
        }),
        _ => None,
    };
    let display = match (t, &element) {
        ("L", Some(DataType::Union)) => {
            let mut names: Vec<&str> = shape.elements.keys().map(|e| scalar(e).1).collect();
            names.sort_unstable();
            format!("array<union<{}>>", names.join(","))
        }
        ("L", Some(e)) => format!("array<{}>", e.display_name()),
        _ => display.to_string(),
    };
    (data_type, display, element)
}

#[cfg(test)]
mod tests;
