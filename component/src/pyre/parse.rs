//! A port of CPython 3.11's `re/_parser.py` for `str` patterns: the same tokenizer, the same
//! tree (minus the branch prefix factoring, which changes nothing but speed), the same errors
//! at the same positions (in characters).

use std::collections::HashMap;

use super::Error;
use super::unicode::{self, is_identifier, repr};

pub(super) const FLAG_TEMPLATE: u32 = 1;
pub(super) const FLAG_IGNORECASE: u32 = 2;
const FLAG_LOCALE: u32 = 4;
pub(super) const FLAG_MULTILINE: u32 = 8;
pub(super) const FLAG_DOTALL: u32 = 16;
pub(super) const FLAG_UNICODE: u32 = 32;
const FLAG_VERBOSE: u32 = 64;
const FLAG_DEBUG: u32 = 128;
pub(super) const FLAG_ASCII: u32 = 256;
pub(super) const TYPE_FLAGS: u32 = FLAG_ASCII | FLAG_LOCALE | FLAG_UNICODE;
const GLOBAL_FLAGS: u32 = FLAG_DEBUG | FLAG_TEMPLATE;

/// `_sre.MAXREPEAT`: a repeat without an upper bound.
pub(super) const MAXREPEAT: u32 = u32::MAX;
const MAXGROUPS: usize = 1_073_741_823;
/// Groups nested deeper than this are refused (Python would eventually hit its recursion
/// limit); it keeps the recursive parser and compiler within a small, fixed stack.
pub(super) const MAX_NESTING: usize = 200;
const MAXWIDTH: u128 = 1 << 64;

fn flag(c: char) -> Option<u32> {
    Some(match c {
        'i' => FLAG_IGNORECASE,
        'L' => FLAG_LOCALE,
        'm' => FLAG_MULTILINE,
        's' => FLAG_DOTALL,
        'x' => FLAG_VERBOSE,
        'a' => FLAG_ASCII,
        't' => FLAG_TEMPLATE,
        'u' => FLAG_UNICODE,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cat {
    Digit,
    NotDigit,
    Space,
    NotSpace,
    Word,
    NotWord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SetItem {
    Lit(u32),
    Range(u32, u32),
    Cat(Cat),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AtKind {
    Beginning,
    BeginningString,
    End,
    EndString,
    Boundary,
    NonBoundary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RepKind {
    Greedy,
    Lazy,
    Possessive,
}

/// `sre_parse`'s opcodes with their arguments.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Lit(u32),
    NotLit(u32),
    Any,
    In(bool, Vec<SetItem>),
    At(AtKind),
    Repeat {
        kind: RepKind,
        min: u32,
        max: u32,
        body: Vec<Node>,
    },
    Group {
        gid: Option<usize>,
        add: u32,
        del: u32,
        body: Vec<Node>,
    },
    Atomic(Vec<Node>),
    Assert {
        behind: bool,
        negate: bool,
        body: Vec<Node>,
    },
    GroupRef(usize),
    GroupRefExists {
        gid: usize,
        yes: Vec<Node>,
        no: Option<Vec<Node>>,
    },
    Branch(Vec<Vec<Node>>),
}

pub(super) struct Parsed {
    pub body: Vec<Node>,
    pub flags: u32,
    /// Number of capturing groups.
    pub groups: usize,
    /// `(min, max)` width of each closed group, indexed by group number (0 unused).
    pub widths: Vec<Option<(u128, u128)>>,
}

/// `SubPattern.getwidth()`, saturated at Python's `MAXWIDTH`.
pub(super) fn width(seq: &[Node], widths: &[Option<(u128, u128)>]) -> (u128, u128) {
    let (mut lo, mut hi) = (0u128, 0u128);
    for node in seq {
        let (i, j) = match node {
            Node::Branch(alts) => alts
                .iter()
                .map(|a| width(a, widths))
                .fold((MAXWIDTH, 0), |(i, j), (l, h)| (i.min(l), j.max(h))),
            Node::Atomic(b) | Node::Group { body: b, .. } => width(b, widths),
            Node::Repeat { min, max, body, .. } => {
                let (i, j) = width(body, widths);
                lo = lo.saturating_add(i * *min as u128);
                if *max == MAXREPEAT && j > 0 {
                    hi = MAXWIDTH;
                } else {
                    hi = hi.saturating_add(j * *max as u128);
                }
                continue;
            }
            Node::Lit(_) | Node::NotLit(_) | Node::Any | Node::In(..) => (1, 1),
            Node::GroupRef(g) => widths.get(*g).copied().flatten().unwrap_or((0, 0)),
            Node::GroupRefExists { yes, no, .. } => {
                let (i, j) = width(yes, widths);
                match no {
                    Some(no) => {
                        let (l, h) = width(no, widths);
                        (i.min(l), j.max(h))
                    }
                    None => (0, j),
                }
            }
            Node::At(_) | Node::Assert { .. } => (0, 0),
        };
        lo = lo.saturating_add(i);
        hi = hi.saturating_add(j);
    }
    (lo.min(MAXWIDTH), hi.min(MAXWIDTH))
}

/// A token: a character, or a backslash and the character after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    C(char),
    E(char),
}

impl Tok {
    fn len(self) -> usize {
        match self {
            Tok::C(_) => 1,
            Tok::E(_) => 2,
        }
    }

    fn text(self) -> String {
        match self {
            Tok::C(c) => c.to_string(),
            Tok::E(c) => format!("\\{c}"),
        }
    }

    fn is_alpha(self) -> bool {
        matches!(self, Tok::C(c) if c.is_alphabetic())
    }

    fn flag(self) -> Option<u32> {
        match self {
            Tok::C(c) => flag(c),
            Tok::E(_) => None,
        }
    }
}

/// `_parser.Tokenizer`: `next` is read ahead, so a trailing backslash is reported as soon as
/// the token before it is consumed, as in Python.
struct Source<'a> {
    s: &'a [char],
    index: usize,
    next: Option<Tok>,
}

type Res<T> = Result<T, Error>;

impl Source<'_> {
    fn advance(&mut self) -> Res<()> {
        let i = self.index;
        self.next = match self.s.get(i) {
            None => None,
            Some('\\') => match self.s.get(i + 1) {
                None => {
                    return Err(Error::new(
                        "bad escape (end of pattern)",
                        Some(self.s.len() - 1),
                    ));
                }
                Some(&c) => {
                    self.index = i + 2;
                    Some(Tok::E(c))
                }
            },
            Some(&c) => {
                self.index = i + 1;
                Some(Tok::C(c))
            }
        };
        Ok(())
    }

    fn eat(&mut self, c: char) -> Res<bool> {
        if self.next == Some(Tok::C(c)) {
            self.advance()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn get(&mut self) -> Res<Option<Tok>> {
        let t = self.next;
        self.advance()?;
        Ok(t)
    }

    fn tell(&self) -> usize {
        self.index - self.next.map_or(0, Tok::len)
    }

    fn err(&self, msg: impl Into<String>, offset: usize) -> Error {
        Error::new(msg, Some(self.tell().saturating_sub(offset)))
    }

    fn getwhile(&mut self, n: usize, pred: fn(char) -> bool) -> Res<String> {
        let mut out = String::new();
        for _ in 0..n {
            match self.next {
                Some(Tok::C(c)) if pred(c) => {
                    out.push(c);
                    self.advance()?;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    fn getuntil(&mut self, terminator: char, name: &str) -> Res<String> {
        let mut out = String::new();
        let mut len = 0;
        loop {
            let t = self.get()?;
            match t {
                None if out.is_empty() => return Err(self.err(format!("missing {name}"), 0)),
                None => {
                    return Err(self.err(format!("missing {terminator}, unterminated name"), len));
                }
                Some(Tok::C(c)) if c == terminator => {
                    if out.is_empty() {
                        return Err(self.err(format!("missing {name}"), 1));
                    }
                    return Ok(out);
                }
                Some(t) => {
                    out.push_str(&t.text());
                    len += t.len();
                }
            }
        }
    }
}

enum Code {
    Lit(u32),
    Cat(Cat),
}

impl Code {
    fn item(self) -> SetItem {
        match self {
            Code::Lit(c) => SetItem::Lit(c),
            Code::Cat(c) => SetItem::Cat(c),
        }
    }
}

/// What an opening parenthesis starts.
enum Head {
    /// Nothing to parse inside (a comment, a named backreference, global flags with the new
    /// verbose setting).
    Done(Option<bool>),
    Group {
        gid: Option<usize>,
        atomic: bool,
        add: u32,
        del: u32,
    },
    Look {
        behind: bool,
        negate: bool,
    },
    Cond(usize),
}

struct Parser<'a> {
    src: Source<'a>,
    flags: u32,
    names: HashMap<String, usize>,
    /// Width of each group once closed (index 0 is group 0).
    widths: Vec<Option<(u128, u128)>>,
    lookbehind_groups: Option<usize>,
    /// Conditional references by number, with their position, in order of appearance.
    grouprefpos: Vec<(usize, usize)>,
    depth: usize,
}

fn is_octal(c: char) -> bool {
    ('0'..='7').contains(&c)
}

fn category(c: char) -> Option<Cat> {
    Some(match c {
        'd' => Cat::Digit,
        'D' => Cat::NotDigit,
        's' => Cat::Space,
        'S' => Cat::NotSpace,
        'w' => Cat::Word,
        'W' => Cat::NotWord,
        _ => return None,
    })
}

fn simple_escape(c: char) -> Option<u32> {
    Some(match c {
        'a' => 7,
        'f' => 12,
        'n' => 10,
        'r' => 13,
        't' => 9,
        'v' => 11,
        '\\' => 92,
        _ => return None,
    })
}

fn repeat_number(digits: &str) -> Res<u32> {
    match digits.parse::<u64>() {
        Ok(n) if n < MAXREPEAT as u64 => Ok(n as u32),
        _ => Err(Error::new("the repetition number is too large", None)),
    }
}

/// Python's `int(s)` for a group number: `None` when it raises; otherwise the sign and the
/// canonical decimal digits. Only ASCII digits are accepted (Python also takes other Unicode
/// decimal digits here, with a DeprecationWarning).
fn py_int(s: &str) -> Option<(bool, String)> {
    let t = s.trim_matches(|c: char| unicode::is_space(c, true));
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let ok = !rest.is_empty()
        && !rest.starts_with('_')
        && !rest.ends_with('_')
        && !rest.contains("__")
        && rest.chars().all(|c| c == '_' || c.is_ascii_digit());
    if !ok {
        return None;
    }
    let digits: String = rest.chars().filter(|&c| c != '_').collect();
    let digits = digits.trim_start_matches('0');
    Some((
        neg,
        if digits.is_empty() { "0" } else { digits }.to_string(),
    ))
}

/// The end of `_parse_sub`: alternatives that are all single characters become one set, as
/// in Python.
fn alternation(mut items: Vec<Vec<Node>>) -> Vec<Node> {
    if items.len() == 1 {
        return items.pop().unwrap_or_default();
    }
    let mut set = Vec::new();
    for item in &items {
        match item.as_slice() {
            [Node::Lit(c)] => set.push(SetItem::Lit(*c)),
            [Node::In(false, s)] => set.extend_from_slice(s),
            _ => return vec![Node::Branch(items)],
        }
    }
    vec![Node::In(false, set)]
}

/// The end of `_parse`: non-capturing groups without flags dissolve into the sequence.
fn dissolve(seq: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::with_capacity(seq.len());
    for node in seq {
        match node {
            Node::Group {
                gid: None,
                add: 0,
                del: 0,
                body,
            } => out.extend(body),
            node => out.push(node),
        }
    }
    out
}

pub(super) fn parse(pattern: &[char], flags: u32) -> Res<Parsed> {
    let mut src = Source {
        s: pattern,
        index: 0,
        next: None,
    };
    src.advance()?;
    let mut p = Parser {
        src,
        flags,
        names: HashMap::new(),
        widths: vec![None],
        lookbehind_groups: None,
        grouprefpos: Vec::new(),
        depth: 0,
    };
    let body = p.parse_sub(flags & FLAG_VERBOSE != 0, 0)?;
    if p.flags & FLAG_ASCII == 0 {
        p.flags |= FLAG_UNICODE;
    } else if p.flags & FLAG_UNICODE != 0 {
        return Err(Error::new("ASCII and UNICODE flags are incompatible", None));
    }
    if p.src.next.is_some() {
        return Err(p.src.err("unbalanced parenthesis", 0));
    }
    if let Some(&(g, pos)) = p.grouprefpos.iter().find(|&&(g, _)| g >= p.widths.len()) {
        return Err(Error::new(
            format!("invalid group reference {g}"),
            Some(pos),
        ));
    }
    Ok(Parsed {
        body,
        flags: p.flags,
        groups: p.widths.len() - 1,
        widths: p.widths,
    })
}

impl Parser<'_> {
    fn groups(&self) -> usize {
        self.widths.len()
    }

    fn checkgroup(&self, gid: usize) -> bool {
        gid < self.groups() && self.widths[gid].is_some()
    }

    fn checklookbehindgroup(&self, gid: usize) -> Res<()> {
        if let Some(lb) = self.lookbehind_groups {
            if !self.checkgroup(gid) {
                return Err(self.src.err("cannot refer to an open group", 0));
            }
            if gid >= lb {
                return Err(self.src.err(
                    "cannot refer to group defined in the same lookbehind subpattern",
                    0,
                ));
            }
        }
        Ok(())
    }

    fn checkgroupname(&self, name: &str, offset: usize) -> Res<()> {
        if !is_identifier(name) {
            let msg = format!("bad character in group name {}", repr(name));
            return Err(self.src.err(msg, name.chars().count() + offset));
        }
        Ok(())
    }

    /// `_parse_sub`: an alternation.
    fn parse_sub(&mut self, verbose: bool, nested: usize) -> Res<Vec<Node>> {
        // Groups nest by recursion through `parse_sub`, `parse_seq`, `group` and `contents`:
        // their frames are kept small (few temporaries, one `?`), the rest is done elsewhere.
        let mut verbose = verbose;
        let mut items = Vec::new();
        loop {
            let first = nested == 0 && items.is_empty();
            let more = self
                .parse_seq(verbose, nested + 1, first)
                .and_then(|item| {
                    items.push(item);
                    self.src.eat('|')
                })?;
            if !more {
                return Ok(alternation(items));
            }
            if nested == 0 {
                verbose = self.flags & FLAG_VERBOSE != 0;
            }
        }
    }

    /// `_parse`: a sequence.
    fn parse_seq(&mut self, verbose: bool, nested: usize, first: bool) -> Res<Vec<Node>> {
        let mut verbose = verbose;
        let mut seq: Vec<Node> = Vec::new();
        while let Some(this) = self.src.next {
            if this == Tok::C('|') || this == Tok::C(')') {
                break;
            }
            let step = if this == Tok::C('(') {
                self.group(&mut seq, verbose, nested, first)
            } else {
                self.item(&mut seq, verbose).map(|()| None)
            };
            if let Some(v) = step? {
                verbose = v;
            }
        }
        Ok(dissolve(seq))
    }

    /// Anything in a sequence but a group.
    fn item(&mut self, seq: &mut Vec<Node>, verbose: bool) -> Res<()> {
        let Some(this) = self.src.get()? else {
            return Ok(());
        };
        if verbose {
            if let Tok::C(' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c') = this {
                return Ok(());
            }
            if this == Tok::C('#') {
                while !matches!(self.src.get()?, None | Some(Tok::C('\n'))) {}
                return Ok(());
            }
        }
        let node = match this {
            Tok::E(c) => self.escape(c)?,
            Tok::C('[') => self.class()?,
            Tok::C(c @ ('?' | '*' | '+' | '{')) => return self.repeat(c, seq),
            Tok::C('.') => Node::Any,
            Tok::C('^') => Node::At(AtKind::Beginning),
            Tok::C('$') => Node::At(AtKind::End),
            Tok::C(c) => Node::Lit(c as u32),
        };
        seq.push(node);
        Ok(())
    }

    /// `\x`, `\u`, `\U`, `\N`: the same inside and outside a class.
    fn code_escape(&mut self, c: char) -> Res<u32> {
        if c == 'N' {
            if !self.src.eat('{')? {
                return Err(self.src.err("missing {", 0));
            }
            let name = self.src.getuntil('}', "character name")?;
            let len = name.chars().count();
            let msg = format!("named Unicode escapes are not supported: \\N{{{name}}}");
            return Err(self.src.err(msg, len + 4));
        }
        let n = match c {
            'x' => 2,
            'u' => 4,
            _ => 8,
        };
        let digits = self.src.getwhile(n, |c| c.is_ascii_hexdigit())?;
        if digits.len() != n {
            let msg = format!("incomplete escape \\{c}{digits}");
            return Err(self.src.err(msg, digits.len() + 2));
        }
        let v = u32::from_str_radix(&digits, 16).unwrap_or(u32::MAX);
        if v > 0x10ffff {
            return Err(self.src.err(format!("bad escape \\{c}{digits}"), n + 2));
        }
        Ok(v)
    }

    /// `_escape`: an escape outside a class.
    fn escape(&mut self, c: char) -> Res<Node> {
        let at = |k| Ok(Node::At(k));
        match c {
            'A' => return at(AtKind::BeginningString),
            'Z' => return at(AtKind::EndString),
            'b' => return at(AtKind::Boundary),
            'B' => return at(AtKind::NonBoundary),
            _ => {}
        }
        if let Some(cat) = category(c) {
            return Ok(Node::In(false, vec![SetItem::Cat(cat)]));
        }
        if let Some(v) = simple_escape(c) {
            return Ok(Node::Lit(v));
        }
        match c {
            'x' | 'u' | 'U' | 'N' => Ok(Node::Lit(self.code_escape(c)?)),
            '0' => {
                let digits = self.src.getwhile(2, is_octal)?;
                Ok(Node::Lit(u32::from_str_radix(&digits, 8).unwrap_or(0)))
            }
            '1'..='9' => {
                let mut digits = c.to_string();
                if let Some(Tok::C(d)) = self.src.next
                    && d.is_ascii_digit()
                {
                    self.src.get()?;
                    digits.push(d);
                    if let Some(Tok::C(e)) = self.src.next
                        && is_octal(c)
                        && is_octal(d)
                        && is_octal(e)
                    {
                        self.src.get()?;
                        digits.push(e);
                        let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                        if v > 0o377 {
                            let msg =
                                format!("octal escape value \\{digits} outside of range 0-0o377");
                            return Err(self.src.err(msg, 4));
                        }
                        return Ok(Node::Lit(v));
                    }
                }
                let group: usize = digits.parse().unwrap_or(0);
                if group < self.groups() {
                    if !self.checkgroup(group) {
                        let msg = "cannot refer to an open group";
                        return Err(self.src.err(msg, digits.len() + 1));
                    }
                    self.checklookbehindgroup(group)?;
                    return Ok(Node::GroupRef(group));
                }
                let msg = format!("invalid group reference {group}");
                Err(self.src.err(msg, digits.len()))
            }
            c if c.is_ascii_alphabetic() => Err(self.src.err(format!("bad escape \\{c}"), 2)),
            c => Ok(Node::Lit(c as u32)),
        }
    }

    /// `_class_escape`: an escape inside a class.
    fn class_escape(&mut self, c: char) -> Res<Code> {
        if c == 'b' {
            return Ok(Code::Lit(8));
        }
        if let Some(v) = simple_escape(c) {
            return Ok(Code::Lit(v));
        }
        if let Some(cat) = category(c) {
            return Ok(Code::Cat(cat));
        }
        match c {
            'x' | 'u' | 'U' | 'N' => Ok(Code::Lit(self.code_escape(c)?)),
            '0'..='7' => {
                let digits = format!("{c}{}", self.src.getwhile(2, is_octal)?);
                let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                if v > 0o377 {
                    let msg = format!("octal escape value \\{digits} outside of range 0-0o377");
                    return Err(self.src.err(msg, digits.len() + 1));
                }
                Ok(Code::Lit(v))
            }
            c if c.is_ascii_alphanumeric() => Err(self.src.err(format!("bad escape \\{c}"), 2)),
            c => Ok(Code::Lit(c as u32)),
        }
    }

    fn class(&mut self) -> Res<Node> {
        let here = self.src.tell() - 1;
        let unterminated = || Error::new("unterminated character set", Some(here));
        let negate = self.src.eat('^')?;
        let mut set: Vec<SetItem> = Vec::new();
        loop {
            let this = self.src.get()?.ok_or_else(unterminated)?;
            if this == Tok::C(']') && !set.is_empty() {
                break;
            }
            let code1 = match this {
                Tok::E(c) => self.class_escape(c)?,
                Tok::C(c) => Code::Lit(c as u32),
            };
            if !self.src.eat('-')? {
                set.push(code1.item());
                continue;
            }
            let that = self.src.get()?.ok_or_else(unterminated)?;
            if that == Tok::C(']') {
                set.push(code1.item());
                set.push(SetItem::Lit('-' as u32));
                break;
            }
            let code2 = match that {
                Tok::E(c) => self.class_escape(c)?,
                Tok::C(c) => Code::Lit(c as u32),
            };
            match (code1, code2) {
                (Code::Lit(lo), Code::Lit(hi)) if lo <= hi => set.push(SetItem::Range(lo, hi)),
                _ => {
                    let msg = format!("bad character range {}-{}", this.text(), that.text());
                    return Err(self.src.err(msg, this.len() + 1 + that.len()));
                }
            }
        }
        if let SetItem::Lit(c) = set[0]
            && set.iter().all(|i| *i == set[0])
        {
            return Ok(if negate {
                Node::NotLit(c)
            } else {
                Node::Lit(c)
            });
        }
        Ok(Node::In(negate, set))
    }

    fn digits(&mut self) -> Res<String> {
        let mut out = String::new();
        while let Some(Tok::C(c)) = self.src.next
            && c.is_ascii_digit()
        {
            out.push(c);
            self.src.advance()?;
        }
        Ok(out)
    }

    fn repeat(&mut self, this: char, seq: &mut Vec<Node>) -> Res<()> {
        let here = self.src.tell();
        let (min, max) = match this {
            '?' => (0, 1),
            '*' => (0, MAXREPEAT),
            '+' => (1, MAXREPEAT),
            _ => {
                if self.src.next == Some(Tok::C('}')) {
                    seq.push(Node::Lit('{' as u32));
                    return Ok(());
                }
                let lo = self.digits()?;
                let hi = if self.src.eat(',')? {
                    self.digits()?
                } else {
                    lo.clone()
                };
                if !self.src.eat('}')? {
                    seq.push(Node::Lit('{' as u32));
                    self.src.index = here;
                    return self.src.advance();
                }
                let min = if lo.is_empty() {
                    0
                } else {
                    repeat_number(&lo)?
                };
                let mut max = MAXREPEAT;
                if !hi.is_empty() {
                    max = repeat_number(&hi)?;
                    if max < min {
                        let msg = "min repeat greater than max repeat";
                        return Err(Error::new(msg, Some(here)));
                    }
                }
                (min, max)
            }
        };
        let item = match seq.last() {
            None | Some(Node::At(_)) => {
                return Err(Error::new("nothing to repeat", Some(here - 1)));
            }
            Some(Node::Repeat { .. }) => return Err(Error::new("multiple repeat", Some(here - 1))),
            Some(_) => seq.pop(),
        };
        let body = match item {
            Some(Node::Group {
                gid: None,
                add: 0,
                del: 0,
                body,
            }) => body,
            Some(node) => vec![node],
            None => Vec::new(),
        };
        let kind = if self.src.eat('?')? {
            RepKind::Lazy
        } else if self.src.eat('+')? {
            RepKind::Possessive
        } else {
            RepKind::Greedy
        };
        seq.push(Node::Repeat {
            kind,
            min,
            max,
            body,
        });
        Ok(())
    }

    /// After `(`. Returns the new verbose setting when global flags were set.
    ///
    /// Groups nest by recursion through this function, `parse_sub` and `parse_seq`; the
    /// header of the group is read by `head`, whose frame is not on that path.
    fn group(
        &mut self,
        seq: &mut Vec<Node>,
        verbose: bool,
        nested: usize,
        first: bool,
    ) -> Res<Option<bool>> {
        let start = self.src.tell();
        self.src.get()?;
        if self.depth >= MAX_NESTING {
            let msg = format!("too many nested groups (more than {MAX_NESTING})");
            return Err(Error::new(msg, Some(start)));
        }
        let head = self.head(seq, first)?;
        self.depth += 1;
        let node = self.group_body(head, verbose, nested);
        self.depth -= 1;
        match node? {
            Ok(node) => {
                if !self.src.eat(')')? {
                    let msg = "missing ), unterminated subpattern";
                    return Err(Error::new(msg, Some(start)));
                }
                seq.push(node);
                Ok(None)
            }
            Err(verbose) => Ok(verbose),
        }
    }

    /// The group's contents, up to its `)`; or, when there are none, the new verbose setting.
    fn group_body(
        &mut self,
        head: Head,
        verbose: bool,
        nested: usize,
    ) -> Res<Result<Node, Option<bool>>> {
        let (verbose, lookbehind) = match head {
            Head::Done(verbose) => return Ok(Err(verbose)),
            Head::Cond(_) => (verbose, false),
            Head::Look { behind, .. } => (verbose, behind && self.lookbehind_groups.is_none()),
            Head::Group { add, del, .. } => {
                let v = (verbose || add & FLAG_VERBOSE != 0) && del & FLAG_VERBOSE == 0;
                (v, false)
            }
        };
        if lookbehind {
            self.lookbehind_groups = Some(self.groups());
        }
        let cond = matches!(head, Head::Cond(_));
        let contents = self.contents(cond, verbose, nested);
        if lookbehind {
            self.lookbehind_groups = None;
        }
        let (body, no) = contents?;
        Ok(Ok(self.node(head, body, no)))
    }

    /// A group's body, or a conditional's two branches.
    fn contents(
        &mut self,
        cond: bool,
        verbose: bool,
        nested: usize,
    ) -> Res<(Vec<Node>, Option<Vec<Node>>)> {
        if !cond {
            return self.parse_sub(verbose, nested + 1).map(|body| (body, None));
        }
        let yes = self.parse_seq(verbose, nested + 1, false)?;
        if !self.src.eat('|')? {
            return Ok((yes, None));
        }
        let no = self.parse_seq(verbose, nested + 1, false)?;
        if self.src.next == Some(Tok::C('|')) {
            let msg = "conditional backref with more than two branches";
            return Err(self.src.err(msg, 0));
        }
        Ok((yes, Some(no)))
    }

    fn node(&mut self, head: Head, body: Vec<Node>, no: Option<Vec<Node>>) -> Node {
        match head {
            Head::Look { behind, negate } => Node::Assert {
                behind,
                negate,
                body,
            },
            Head::Cond(gid) => Node::GroupRefExists { gid, yes: body, no },
            Head::Group { atomic: true, .. } => Node::Atomic(body),
            Head::Group { gid, add, del, .. } => {
                if let Some(g) = gid
                    && self.src.next == Some(Tok::C(')'))
                {
                    self.widths[g] = Some(width(&body, &self.widths));
                }
                Node::Group {
                    gid,
                    add,
                    del,
                    body,
                }
            }
            Head::Done(_) => Node::Group {
                gid: None,
                add: 0,
                del: 0,
                body,
            },
        }
    }

    /// What follows `(`: `?` and an extension, or nothing (a capturing group).
    #[inline(never)]
    fn head(&mut self, seq: &mut Vec<Node>, first: bool) -> Res<Head> {
        let start = self.src.tell() - 1;
        let group = |gid, atomic, add, del| Head::Group {
            gid,
            atomic,
            add,
            del,
        };
        if !self.src.eat('?')? {
            return Ok(group(Some(self.opengroup(None)?), false, 0, 0));
        }
        let Some(ch) = self.src.get()? else {
            return Err(self.src.err("unexpected end of pattern", 0));
        };
        Ok(match ch {
            Tok::C('P') => {
                if self.src.eat('<')? {
                    let n = self.src.getuntil('>', "group name")?;
                    self.checkgroupname(&n, 1)?;
                    return Ok(group(Some(self.opengroup(Some(n))?), false, 0, 0));
                }
                if self.src.eat('=')? {
                    let n = self.src.getuntil(')', "group name")?;
                    self.checkgroupname(&n, 1)?;
                    let len = n.chars().count();
                    let Some(&gid) = self.names.get(&n) else {
                        let msg = format!("unknown group name {}", repr(&n));
                        return Err(self.src.err(msg, len + 1));
                    };
                    if !self.checkgroup(gid) {
                        return Err(self.src.err("cannot refer to an open group", len + 1));
                    }
                    self.checklookbehindgroup(gid)?;
                    seq.push(Node::GroupRef(gid));
                    return Ok(Head::Done(None));
                }
                let Some(ch) = self.src.get()? else {
                    return Err(self.src.err("unexpected end of pattern", 0));
                };
                let msg = format!("unknown extension ?P{}", ch.text());
                return Err(self.src.err(msg, ch.len() + 2));
            }
            Tok::C(':') => group(None, false, 0, 0),
            Tok::C('>') => group(None, true, 0, 0),
            Tok::C('#') => loop {
                if self.src.next.is_none() {
                    let msg = "missing ), unterminated comment";
                    return Err(Error::new(msg, Some(start)));
                }
                if self.src.get()? == Some(Tok::C(')')) {
                    return Ok(Head::Done(None));
                }
            },
            Tok::C('=') => Head::Look {
                behind: false,
                negate: false,
            },
            Tok::C('!') => Head::Look {
                behind: false,
                negate: true,
            },
            Tok::C('<') => {
                let negate = match self.src.get()? {
                    None => return Err(self.src.err("unexpected end of pattern", 0)),
                    Some(Tok::C('=')) => false,
                    Some(Tok::C('!')) => true,
                    Some(t) => {
                        let msg = format!("unknown extension ?<{}", t.text());
                        return Err(self.src.err(msg, t.len() + 2));
                    }
                };
                Head::Look {
                    behind: true,
                    negate,
                }
            }
            Tok::C('(') => Head::Cond(self.condition()?),
            Tok::C(c) if flag(c).is_some() || c == '-' => match self.parse_flags(ch)? {
                None => {
                    if !first || !seq.is_empty() {
                        let msg = "global flags not at the start of the expression";
                        return Err(Error::new(msg, Some(start)));
                    }
                    Head::Done(Some(self.flags & FLAG_VERBOSE != 0))
                }
                Some((add, del)) => group(None, false, add, del),
            },
            t => {
                let msg = format!("unknown extension ?{}", t.text());
                return Err(self.src.err(msg, t.len() + 1));
            }
        })
    }

    fn opengroup(&mut self, name: Option<String>) -> Res<usize> {
        let gid = self.groups();
        self.widths.push(None);
        if self.groups() > MAXGROUPS {
            return Err(self.src.err("too many groups", 0));
        }
        if let Some(name) = name {
            if let Some(&old) = self.names.get(&name) {
                let msg = format!(
                    "redefinition of group name {} as group {gid}; was group {old}",
                    repr(&name)
                );
                return Err(self.src.err(msg, name.chars().count() + 1));
            }
            self.names.insert(name, gid);
        }
        Ok(gid)
    }

    /// The group of `(?(group)yes|no)`, after `(?(`.
    fn condition(&mut self) -> Res<usize> {
        let cond = self.src.getuntil(')', "group name")?;
        let len = cond.chars().count();
        let gid = if is_identifier(&cond) {
            match self.names.get(&cond) {
                Some(&g) => g,
                None => {
                    let msg = format!("unknown group name {}", repr(&cond));
                    return Err(self.src.err(msg, len + 1));
                }
            }
        } else {
            let digits = match py_int(&cond) {
                Some((neg, d)) if !neg || d == "0" => d,
                _ => {
                    let msg = format!("bad character in group name {}", repr(&cond));
                    return Err(self.src.err(msg, len + 1));
                }
            };
            if digits == "0" {
                return Err(self.src.err("bad group number", len + 1));
            }
            let g = match digits.parse::<usize>() {
                Ok(g) if g < MAXGROUPS => g,
                _ => {
                    let msg = format!("invalid group reference {digits}");
                    return Err(self.src.err(msg, len + 1));
                }
            };
            if !self.grouprefpos.iter().any(|&(x, _)| x == g) {
                self.grouprefpos.push((g, self.src.tell() - len - 1));
            }
            g
        };
        self.checklookbehindgroup(gid)?;
        Ok(gid)
    }

    /// `_parse_flags`: `None` for global flags `(?imsx)`, else the scoped `(add, del)`.
    fn parse_flags(&mut self, first: Tok) -> Res<Option<(u32, u32)>> {
        let (mut add, mut del) = (0, 0);
        let mut ch = first;
        if ch != Tok::C('-') {
            loop {
                let f = ch.flag().unwrap_or(0);
                if ch == Tok::C('L') {
                    let msg = "bad inline flags: cannot use 'L' flag with a str pattern";
                    return Err(self.src.err(msg, 0));
                }
                add |= f;
                if f & TYPE_FLAGS != 0 && add & TYPE_FLAGS != f {
                    let msg = "bad inline flags: flags 'a', 'u' and 'L' are incompatible";
                    return Err(self.src.err(msg, 0));
                }
                ch = self
                    .src
                    .get()?
                    .ok_or_else(|| self.src.err("missing -, : or )", 0))?;
                if matches!(ch, Tok::C(')' | '-' | ':')) {
                    break;
                }
                if ch.flag().is_none() {
                    let msg = if ch.is_alpha() {
                        "unknown flag"
                    } else {
                        "missing -, : or )"
                    };
                    return Err(self.src.err(msg, ch.len()));
                }
            }
        }
        if ch == Tok::C(')') {
            self.flags |= add;
            return Ok(None);
        }
        if add & GLOBAL_FLAGS != 0 {
            let msg = "bad inline flags: cannot turn on global flag";
            return Err(self.src.err(msg, 1));
        }
        if ch == Tok::C('-') {
            ch = self
                .src
                .get()?
                .ok_or_else(|| self.src.err("missing flag", 0))?;
            if ch.flag().is_none() {
                let msg = if ch.is_alpha() {
                    "unknown flag"
                } else {
                    "missing flag"
                };
                return Err(self.src.err(msg, ch.len()));
            }
            loop {
                let f = ch.flag().unwrap_or(0);
                if f & TYPE_FLAGS != 0 {
                    let msg = "bad inline flags: cannot turn off flags 'a', 'u' and 'L'";
                    return Err(self.src.err(msg, 0));
                }
                del |= f;
                ch = self
                    .src
                    .get()?
                    .ok_or_else(|| self.src.err("missing :", 0))?;
                if ch == Tok::C(':') {
                    break;
                }
                if ch.flag().is_none() {
                    let msg = if ch.is_alpha() {
                        "unknown flag"
                    } else {
                        "missing :"
                    };
                    return Err(self.src.err(msg, ch.len()));
                }
            }
        }
        if del & GLOBAL_FLAGS != 0 {
            let msg = "bad inline flags: cannot turn off global flag";
            return Err(self.src.err(msg, 1));
        }
        if add & del != 0 {
            let msg = "bad inline flags: flag turned on and off";
            return Err(self.src.err(msg, 1));
        }
        Ok(Some((add, del)))
    }
}
