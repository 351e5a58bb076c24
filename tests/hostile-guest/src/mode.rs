//! What the guest does, chosen by the configuration key `hostile.mode`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Returns a small valid ingestion (one table) and what it sees of its configuration.
    WellBehaved,
    /// HTTP to destinations off the allowlist: the metadata service, another loopback port,
    /// the allowed port over https, other spellings of the allowed host, userinfo tricks.
    HttpDestinations,
    /// Forged `Host` and other forbidden headers, header injection, absolute-form paths, then
    /// one request to the allowed destination with whatever headers were accepted.
    HttpHeaders,
    /// Reads `/etc/passwd`, lists `/` and `.`, writes a file, asks for the preopens.
    Files,
    /// Reads environment variables, arguments, the initial directory and stdin.
    Environment,
    /// Raw TCP and UDP sockets and name resolution, through WASI and through std.
    Sockets,
    /// Allocates 1 MiB after 1 MiB, forever.
    GrowMemory,
    /// Asks for 1.5 GiB in one allocation.
    AllocateHuge,
    /// Computes forever, never calling the host.
    Spin,
    /// Sleeps for an hour on the monotonic clock.
    Sleep,
    /// Recurses without end.
    Recurse,
    /// Exits the process with status 0 in the middle of `ingest`.
    Exit,
    /// Writes `hostile.count` MiB (default 8) to stdout and to stderr, and a line longer than
    /// that without a newline.
    FloodLog,
    /// Writes `hostile.count` MiB (default 8) of empty lines.
    FloodBlankLines,
    /// Fills the log (`hostile.count` MiB, default 1), then asks for the metadata service:
    /// the host's line about the denial must still be in the log.
    HideDenial,
    /// Writes lines that imitate the host's own log lines, with terminal escapes.
    ForgeLog,
    /// Returns `hostile.count` warnings (default one million).
    HugeResult,
    /// Returns `hostile.count` warnings (default 64) whose messages all point at the same
    /// 1 MiB buffer: the result is small in the guest and large once the host has copied it.
    AliasedResult,
    /// Makes the host hold `hostile.count` MiB (default 64) of HTTP header fields.
    HostMemory,
    /// Starts `hostile.count` requests (default 32) to the allowed destination at once.
    ManyRequests,
    /// Reads the whole body of two responses of `hostile.count` bytes (default 64 MiB) from
    /// the allowed destination, one with a `content-length` and one without.
    LargeResponse,
    /// A streamed run that hands over one table, then traps in the next `next-batch`.
    TrapAfterBatch,
    /// A streamed run that hands over one table, then computes forever in the next `next-batch`.
    SpinAfterBatch,
    /// A streamed run that hands over one table, then allocates forever in the next
    /// `next-batch`.
    GrowAfterBatch,
    /// Returns one warning of `hostile.count` MiB (default 400).
    HugeWarning,
    /// Holds `hostile.count` handles at once (default 10,000 header field sets).
    Handles,
    /// Returns warnings, a failure and a filtered reason full of terminal escapes, bidi
    /// overrides, line breaks and forged host lines.
    HostileStrings,
    /// Names another tenant's service (`other_tenant`) as its run's scope, with two tables.
    ScopeHijack,
    /// Names a service of `hostile.count` characters (default 2,000,000) and a database of 300.
    LongScope,
    /// Hands a table over twice in two batches, and two tables with one FQN in one batch.
    RepeatTables,
    /// Returns an empty ingestion. Every mode declares the same costly configuration schema
    /// (`answer::costly_schema`: three `patternProperties` keys of 480 empty capture groups
    /// repeated 20 times, cheap to write, costly to match for an engine whose match state grows
    /// with states times capture slots); this mode only names the run that measures it.
    CostlySchema,
    /// `destinations` returns `hostile.count` destinations (default 1,000,000),
    /// `https://d<i>.example.com:443`: the host bounds what it lifts. Its run is an empty
    /// ingestion.
    ManyDestinations,
    /// `destinations` returns destinations a host must refuse: scheme `ftp`, a host with a line
    /// feed and an ANSI escape, port 0, an empty host and a host of 300 characters. Its run is
    /// an empty ingestion.
    BadDestinations,
    /// One table whose lineage reaches for another tenant's service (`other_tenant_kinesis`),
    /// a service no key names, an FQN of 100,000 characters, and `hostile.count` edges
    /// (default 100,000) into the service its `connectionOptions.lineageService` names.
    LineageHijack,
}

impl Mode {
    pub const ALL: [Mode; 34] = [
        Mode::WellBehaved,
        Mode::HttpDestinations,
        Mode::HttpHeaders,
        Mode::Files,
        Mode::Environment,
        Mode::Sockets,
        Mode::GrowMemory,
        Mode::AllocateHuge,
        Mode::Spin,
        Mode::Sleep,
        Mode::Recurse,
        Mode::Exit,
        Mode::FloodLog,
        Mode::FloodBlankLines,
        Mode::HideDenial,
        Mode::ForgeLog,
        Mode::HugeResult,
        Mode::AliasedResult,
        Mode::HostMemory,
        Mode::ManyRequests,
        Mode::LargeResponse,
        Mode::TrapAfterBatch,
        Mode::SpinAfterBatch,
        Mode::GrowAfterBatch,
        Mode::HugeWarning,
        Mode::HostileStrings,
        Mode::Handles,
        Mode::ScopeHijack,
        Mode::LongScope,
        Mode::RepeatTables,
        Mode::CostlySchema,
        Mode::ManyDestinations,
        Mode::BadDestinations,
        Mode::LineageHijack,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::WellBehaved => "well-behaved",
            Mode::HttpDestinations => "http-destinations",
            Mode::HttpHeaders => "http-headers",
            Mode::Files => "files",
            Mode::Environment => "environment",
            Mode::Sockets => "sockets",
            Mode::GrowMemory => "grow-memory",
            Mode::AllocateHuge => "allocate-huge",
            Mode::Spin => "spin",
            Mode::Sleep => "sleep",
            Mode::Recurse => "recurse",
            Mode::Exit => "exit",
            Mode::FloodLog => "flood-log",
            Mode::FloodBlankLines => "flood-blank-lines",
            Mode::HideDenial => "hide-denial",
            Mode::ForgeLog => "forge-log",
            Mode::HugeResult => "huge-result",
            Mode::AliasedResult => "aliased-result",
            Mode::HostMemory => "host-memory",
            Mode::ManyRequests => "many-requests",
            Mode::LargeResponse => "large-response",
            Mode::TrapAfterBatch => "trap-after-batch",
            Mode::SpinAfterBatch => "spin-after-batch",
            Mode::GrowAfterBatch => "grow-after-batch",
            Mode::HugeWarning => "huge-warning",
            Mode::HostileStrings => "hostile-strings",
            Mode::Handles => "handles",
            Mode::ScopeHijack => "scope-hijack",
            Mode::LongScope => "long-scope",
            Mode::RepeatTables => "repeat-tables",
            Mode::CostlySchema => "costly-schema",
            Mode::ManyDestinations => "many-destinations",
            Mode::BadDestinations => "bad-destinations",
            Mode::LineageHijack => "lineage-hijack",
        }
    }

    pub fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|mode| mode.name() == name)
    }
}
