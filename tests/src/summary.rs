//! Figures read off the host's text summary (`Tables listed: 5 (ingested 4, filtered 1, failed 0)`,
//! `Left undone: 3`, `Success %: 95.00`).

/// `Tables listed: N (ingested I, filtered F, failed X)` as `[N, I, F, X]`, from the first such
/// line.
pub fn table_counts(stderr: &str) -> [u64; 4] {
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Tables listed: "))
        .unwrap_or_else(|| panic!("no `Tables listed:` line:\n{stderr}"));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let [listed, ingested, filtered, failed] = numbers[..] else {
        panic!("unexpected counts `{line}`");
    };
    [listed, ingested, filtered, failed]
}

/// The first number after `prefix` on every line of `text` that starts with it, in order.
pub fn figures(text: &str, prefix: &str) -> Vec<f64> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(prefix))
        .map(|rest| {
            rest.split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .find(|s| !s.is_empty())
                .unwrap_or_else(|| panic!("no number after `{prefix}` in `{rest}`"))
                .parse()
                .unwrap()
        })
        .collect()
}

/// The first number after `prefix` on the first line of `text` that starts with it.
pub fn figure(text: &str, prefix: &str) -> f64 {
    *figures(text, prefix)
        .first()
        .unwrap_or_else(|| panic!("no `{prefix}` line:\n{text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_summarys_figures() {
        let stderr = "Workflow DynamoDB Summary (s):\n  Tables listed: 5 (ingested 4, filtered 1, failed 0)\n  Left undone: 3\nSuccess %: 95.50\nSuccess %: 100.00\n";
        assert_eq!(table_counts(stderr), [5, 4, 1, 0]);
        assert_eq!(figure(stderr, "Left undone: "), 3.0);
        assert_eq!(figures(stderr, "Success %: "), [95.5, 100.0]);
    }
}
