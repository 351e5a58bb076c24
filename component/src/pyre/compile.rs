//! From the parsed tree to the matcher's program, as CPython 3.11's `re/_compiler.py` does:
//! flags are resolved per scope, case-insensitive literals and sets are folded the way `sre`
//! folds them, look-behinds get their fixed width, single-character repeats their own op.

use super::Error;
use super::parse::{
    Cat, FLAG_DOTALL, FLAG_IGNORECASE, FLAG_MULTILINE, FLAG_TEMPLATE, FLAG_UNICODE, Node, Parsed,
    RepKind, SetItem, TYPE_FLAGS, width,
};
use super::unicode as u;

/// How a subject character is folded before it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fold {
    /// Compared as is.
    No,
    /// `sre_lower_ascii` (`(?a)` with IGNORECASE).
    Ascii,
    /// `sre_lower_unicode`.
    Uni,
}

/// A test of one character.
#[derive(Debug, Clone)]
pub(super) enum Unit {
    /// `.` without DOTALL.
    Any,
    /// `.` with DOTALL.
    AnyAll,
    Lit {
        c: u32,
        neg: bool,
        fold: Fold,
    },
    Set {
        set: Box<CharSet>,
        fold: Fold,
    },
}

#[derive(Debug, Clone)]
pub(super) struct CharSet {
    negate: bool,
    /// Sorted, disjoint, not adjacent.
    ranges: Vec<(u32, u32)>,
    others: Vec<Other>,
}

impl CharSet {
    /// Ranges and other items it holds: what a match walks through.
    #[cfg(test)]
    pub(super) fn size(&self) -> usize {
        self.ranges.len() + self.others.len()
    }
}

#[derive(Debug, Clone, Copy)]
enum Other {
    Cat(Cat, bool),
    /// `RANGE_UNI_IGNORE`: a case-insensitive range reaching past the BMP.
    RangeUniIgnore(u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    Beginning,
    BeginningLine,
    End,
    EndLine,
    EndString,
    Boundary { uni: bool },
    NonBoundary { uni: bool },
}

/// An instruction; `pc + 1` is the next one unless said otherwise.
#[derive(Debug, Clone)]
pub(super) enum Op {
    Succ,
    Unit(Unit),
    At(At),
    Mark(usize),
    Jump(usize),
    /// The first instruction of each alternative; each ends with a `Jump` past the branch.
    Branch(Vec<usize>),
    /// A repeat of one character; the tail follows.
    RepeatOne {
        kind: RepKind,
        min: u32,
        max: u32,
        unit: Unit,
    },
    /// `REPEAT`: the body follows and ends at `until`, an `Until`; the tail follows that.
    Repeat {
        min: u32,
        max: u32,
        until: usize,
    },
    Until {
        lazy: bool,
    },
    /// `POSSESSIVE_REPEAT`: the body follows and ends with `Succ`; the tail is at `tail`.
    PossRepeat {
        min: u32,
        max: u32,
        tail: usize,
    },
    /// The body follows and ends with `Succ`; the tail is at `tail`.
    Atomic {
        tail: usize,
    },
    /// A look-ahead (`back == 0`) or look-behind; the body follows and ends with `Succ`.
    Assert {
        back: usize,
        negate: bool,
        tail: usize,
    },
    /// A backreference to the 0-based `group`.
    GroupRef {
        group: usize,
        fold: Fold,
    },
    /// `(?(group)yes|no)`: `yes` follows, `no` (or the tail) is at `no`.
    GroupRefExists {
        group: usize,
        no: usize,
    },
}

const MAXCODE: u128 = u32::MAX as u128;

pub(super) fn compile(parsed: &Parsed) -> Result<Vec<Op>, Error> {
    let mut c = Compiler {
        prog: Vec::new(),
        widths: &parsed.widths,
    };
    c.seq(&parsed.body, parsed.flags)?;
    c.prog.push(Op::Succ);
    Ok(c.prog)
}

/// `_combine_flags`.
fn combine(flags: u32, add: u32, del: u32) -> u32 {
    let flags = if add & TYPE_FLAGS != 0 {
        flags & !TYPE_FLAGS
    } else {
        flags
    };
    (flags | add) & !del
}

fn fold_of(flags: u32) -> Fold {
    if flags & FLAG_IGNORECASE == 0 {
        Fold::No
    } else if flags & FLAG_UNICODE != 0 {
        Fold::Uni
    } else {
        Fold::Ascii
    }
}

/// `LITERAL`/`NOT_LITERAL` under `flags`.
fn literal(c: u32, neg: bool, flags: u32) -> Unit {
    let plain = Unit::Lit {
        c,
        neg,
        fold: Fold::No,
    };
    match fold_of(flags) {
        Fold::No => plain,
        Fold::Ascii if u::is_cased_ascii(c) => Unit::Lit {
            c: u::lower_ascii(c),
            neg,
            fold: Fold::Ascii,
        },
        Fold::Uni if u::is_cased(c) => {
            let lo = u::lower(c);
            let extra = u::extra_cases(lo);
            if extra.is_empty() {
                return Unit::Lit {
                    c: lo,
                    neg,
                    fold: Fold::Uni,
                };
            }
            let mut ranges: Vec<(u32, u32)> = extra.iter().map(|&k| (k, k)).collect();
            ranges.push((lo, lo));
            Unit::Set {
                set: Box::new(CharSet::new(neg, ranges, Vec::new())),
                fold: Fold::Uni,
            }
        }
        _ => plain,
    }
}

/// `IN` under `flags`, as `_optimize_charset` builds it: with IGNORECASE, literals and the
/// BMP part of ranges are folded into a map of lowercase characters (plus `_EXTRA_CASES`),
/// and the subject character is folded before the test, but only when the set holds a cased
/// character ("hascased").
fn set(negate: bool, items: &[SetItem], flags: u32) -> Unit {
    let fold = fold_of(flags);
    let uni = flags & FLAG_UNICODE != 0;
    let mut ranges = Vec::new();
    let mut others = Vec::new();
    let mut map: Vec<u64> = Vec::new();
    let mut hascased = false;
    type Fix = fn(u32) -> u32;
    let (fix, cased): (Fix, fn(u32) -> bool) = match fold {
        Fold::Ascii => (u::lower_ascii, u::is_cased_ascii),
        _ => (u::lower, u::is_cased),
    };
    let mut mark = |c: u32| {
        if map.is_empty() {
            map = vec![0; 1024];
        }
        let l = fix(c);
        map[l as usize >> 6] |= 1 << (l & 63);
        if fold == Fold::Uni {
            for &k in u::extra_cases(l) {
                map[k as usize >> 6] |= 1 << (k & 63);
            }
        }
    };
    for item in items {
        match *item {
            SetItem::Cat(c) => others.push(Other::Cat(c, uni)),
            SetItem::Lit(c) if fold == Fold::No || c > 0xffff => {
                hascased |= fold != Fold::No;
                ranges.push((c, c));
            }
            SetItem::Lit(c) => {
                mark(c);
                hascased = hascased || cased(c);
            }
            SetItem::Range(a, b) if fold == Fold::No => ranges.push((a, b)),
            SetItem::Range(a, b) => {
                for c in a..=b.min(0xffff) {
                    mark(c);
                }
                if b > 0xffff {
                    hascased = true;
                    others.push(Other::RangeUniIgnore(a, b));
                } else if !hascased {
                    hascased = (a..=b).any(cased);
                }
            }
        }
    }
    for (w, &bits) in map.iter().enumerate() {
        for bit in 0..64 {
            if bits & (1 << bit) != 0 {
                let c = (w * 64 + bit) as u32;
                ranges.push((c, c));
            }
        }
    }
    let fold = if hascased { fold } else { Fold::No };
    Unit::Set {
        set: Box::new(CharSet::new(negate, ranges, others)),
        fold,
    }
}

impl CharSet {
    fn new(negate: bool, mut ranges: Vec<(u32, u32)>, others: Vec<Other>) -> CharSet {
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged.shrink_to_fit();
        CharSet {
            negate,
            ranges: merged,
            others,
        }
    }

    /// `SRE(charset)`: `c` is already folded as the set requires.
    pub(super) fn contains(&self, c: u32) -> bool {
        let i = self.ranges.partition_point(|&(a, _)| a <= c);
        let hit = (i > 0 && c <= self.ranges[i - 1].1)
            || self.others.iter().any(|o| match *o {
                Other::Cat(cat, uni) => char::from_u32(c).is_some_and(|ch| category(cat, ch, uni)),
                Other::RangeUniIgnore(a, b) => {
                    (a..=b).contains(&c) || (a..=b).contains(&u::upper(c))
                }
            });
        hit != self.negate
    }
}

fn category(cat: Cat, c: char, uni: bool) -> bool {
    match cat {
        Cat::Digit => u::is_digit(c, uni),
        Cat::NotDigit => !u::is_digit(c, uni),
        Cat::Space => u::is_space(c, uni),
        Cat::NotSpace => !u::is_space(c, uni),
        Cat::Word => u::is_word(c, uni),
        Cat::NotWord => !u::is_word(c, uni),
    }
}

/// `_simple`: a repeat of exactly one character, possibly inside a non-capturing group with
/// flags.
fn simple(body: &[Node], flags: u32) -> Option<Unit> {
    match body {
        [
            Node::Group {
                gid: None,
                add,
                del,
                body,
            },
        ] => simple(body, combine(flags, *add, *del)),
        [node] => unit(node, flags),
        _ => None,
    }
}

fn unit(node: &Node, flags: u32) -> Option<Unit> {
    Some(match node {
        Node::Lit(c) => literal(*c, false, flags),
        Node::NotLit(c) => literal(*c, true, flags),
        Node::Any if flags & FLAG_DOTALL != 0 => Unit::AnyAll,
        Node::Any => Unit::Any,
        Node::In(negate, items) => set(*negate, items, flags),
        _ => return None,
    })
}

struct Compiler<'a> {
    prog: Vec<Op>,
    widths: &'a [Option<(u128, u128)>],
}

impl Compiler<'_> {
    fn emit(&mut self, op: Op) -> usize {
        self.prog.push(op);
        self.prog.len() - 1
    }

    /// Points the forward reference of the instruction at `at` to the next instruction.
    fn patch(&mut self, at: usize) {
        let here = self.prog.len();
        match &mut self.prog[at] {
            Op::Jump(t)
            | Op::Repeat { until: t, .. }
            | Op::PossRepeat { tail: t, .. }
            | Op::Atomic { tail: t }
            | Op::Assert { tail: t, .. }
            | Op::GroupRefExists { no: t, .. } => *t = here,
            _ => {}
        }
    }

    fn seq(&mut self, nodes: &[Node], flags: u32) -> Result<(), Error> {
        for node in nodes {
            self.node(node, flags)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, flags: u32) -> Result<(), Error> {
        if let Some(unit) = unit(node, flags) {
            self.emit(Op::Unit(unit));
            return Ok(());
        }
        match node {
            Node::At(kind) => {
                use super::parse::AtKind as K;
                let multi = flags & FLAG_MULTILINE != 0;
                let uni = flags & FLAG_UNICODE != 0;
                let at = match kind {
                    K::Beginning if multi => At::BeginningLine,
                    K::Beginning | K::BeginningString => At::Beginning,
                    K::End if multi => At::EndLine,
                    K::End => At::End,
                    K::EndString => At::EndString,
                    K::Boundary => At::Boundary { uni },
                    K::NonBoundary => At::NonBoundary { uni },
                };
                self.emit(Op::At(at));
            }
            Node::Repeat {
                kind,
                min,
                max,
                body,
            } => {
                if flags & FLAG_TEMPLATE != 0 {
                    let op = match kind {
                        RepKind::Greedy => "MAX_REPEAT",
                        RepKind::Lazy => "MIN_REPEAT",
                        RepKind::Possessive => "POSSESSIVE_REPEAT",
                    };
                    let msg = format!("internal: unsupported template operator {op}");
                    return Err(Error::new(msg, None));
                }
                let (min, max) = (*min, *max);
                if let Some(unit) = simple(body, flags) {
                    self.emit(Op::RepeatOne {
                        kind: *kind,
                        min,
                        max,
                        unit,
                    });
                } else if *kind == RepKind::Possessive {
                    let at = self.emit(Op::PossRepeat { min, max, tail: 0 });
                    self.seq(body, flags)?;
                    self.emit(Op::Succ);
                    self.patch(at);
                } else {
                    let at = self.emit(Op::Repeat { min, max, until: 0 });
                    self.seq(body, flags)?;
                    self.patch(at);
                    self.emit(Op::Until {
                        lazy: *kind == RepKind::Lazy,
                    });
                }
            }
            Node::Group {
                gid,
                add,
                del,
                body,
            } => {
                if let Some(g) = gid {
                    self.emit(Op::Mark((g - 1) * 2));
                }
                self.seq(body, combine(flags, *add, *del))?;
                if let Some(g) = gid {
                    self.emit(Op::Mark((g - 1) * 2 + 1));
                }
            }
            Node::Atomic(body) => {
                let at = self.emit(Op::Atomic { tail: 0 });
                self.seq(body, flags)?;
                self.emit(Op::Succ);
                self.patch(at);
            }
            Node::Assert {
                behind,
                negate,
                body,
            } => {
                let mut back = 0;
                if *behind {
                    let (lo, hi) = width(body, self.widths);
                    if lo > MAXCODE {
                        return Err(Error::new("looks too much behind", None));
                    }
                    if lo != hi {
                        let msg = "look-behind requires fixed-width pattern";
                        return Err(Error::new(msg, None));
                    }
                    back = lo as usize;
                }
                let at = self.emit(Op::Assert {
                    back,
                    negate: *negate,
                    tail: 0,
                });
                self.seq(body, flags)?;
                self.emit(Op::Succ);
                self.patch(at);
            }
            Node::GroupRef(g) => {
                self.emit(Op::GroupRef {
                    group: g - 1,
                    fold: fold_of(flags),
                });
            }
            Node::GroupRefExists { gid, yes, no } => {
                let at = self.emit(Op::GroupRefExists {
                    group: gid - 1,
                    no: 0,
                });
                self.seq(yes, flags)?;
                match no {
                    Some(no) if !no.is_empty() => {
                        let jump = self.emit(Op::Jump(0));
                        self.patch(at);
                        self.seq(no, flags)?;
                        self.patch(jump);
                    }
                    _ => self.patch(at),
                }
            }
            Node::Branch(alts) => {
                let at = self.emit(Op::Branch(Vec::new()));
                let mut starts = Vec::with_capacity(alts.len());
                let mut jumps = Vec::with_capacity(alts.len());
                for alt in alts {
                    starts.push(self.prog.len());
                    self.seq(alt, flags)?;
                    jumps.push(self.emit(Op::Jump(0)));
                }
                for j in jumps {
                    self.patch(j);
                }
                self.prog[at] = Op::Branch(starts);
            }
            Node::Lit(_) | Node::NotLit(_) | Node::Any | Node::In(..) => {}
        }
        Ok(())
    }
}
