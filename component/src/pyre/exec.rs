//! The matcher: a port of `SRE(match)` from CPython 3.11's `Modules/_sre/sre_lib.h`.
//!
//! `sre` already runs on an explicit stack of contexts: `DO_JUMP` pushes a context and
//! continues with a sub-pattern, `RETURN_SUCCESS`/`RETURN_FAILURE` pop it and resume the
//! parent where it jumped from (its `jump` label). This port keeps that structure, so the
//! backtracking order, the zero-width-loop protection of `MAX_UNTIL`/`MIN_UNTIL`, and which
//! capture marks are restored on backtracking (`LASTMARK_SAVE`/`MARK_PUSH`, only inside a
//! repeat) are those of Python; they decide backreferences and conditionals.

use super::compile::{At, Fold, Op, Unit};
use super::parse::{MAXREPEAT, RepKind};
use super::unicode as u;

/// A mark or a position that is not set (`NULL` in `sre`).
const NULL: usize = usize::MAX;

/// Where a context resumes its parent (`JUMP_*`).
#[derive(Debug, Clone, Copy)]
enum Jump {
    None,
    MaxUntil1,
    MaxUntil2,
    MaxUntil3,
    MinUntil1,
    MinUntil2,
    MinUntil3,
    Repeat,
    RepeatOne,
    MinRepeatOne,
    Branch,
    Assert,
    AssertNot,
    Poss1,
    Poss2,
    Atomic,
}

/// `SRE(match_context)`.
struct Ctx {
    pc: usize,
    ptr: usize,
    count: isize,
    lastmark: isize,
    rep: usize,
    jump: Jump,
}

/// `SRE_REPEAT`.
struct Rep {
    count: isize,
    /// The `Repeat` instruction.
    pc: usize,
    prev: Option<usize>,
    last_ptr: usize,
}

enum Flow {
    /// Execute the instruction at `pc`.
    Run,
    /// The current context returns (success or failure) to its parent.
    Ret(bool),
}

struct Machine<'a> {
    prog: &'a [Op],
    text: &'a [char],
    marks: Vec<usize>,
    lastmark: isize,
    /// `state->repeat`: the innermost active repeat.
    repeat: Option<usize>,
    reps: Vec<Rep>,
    /// The data stack: saved marks and `last_ptr`s.
    data: Vec<usize>,
    /// `state->ptr`.
    sptr: usize,
    ctxs: Vec<Ctx>,
    steps: usize,
}

pub(super) fn run(prog: &[Op], groups: usize, text: &[char], max_steps: usize) -> Option<bool> {
    let mut m = Machine {
        prog,
        text,
        marks: vec![NULL; groups * 2],
        lastmark: -1,
        repeat: None,
        reps: Vec::new(),
        data: Vec::new(),
        sptr: 0,
        ctxs: vec![Ctx::new(0, Jump::None)],
        steps: max_steps,
    };
    let (mut pc, mut ptr) = (0, 0);
    let mut flow = Flow::Run;
    loop {
        if m.steps == 0 {
            return None;
        }
        m.steps -= 1;
        flow = match flow {
            Flow::Run => m.step(&mut pc, &mut ptr),
            Flow::Ret(ret) => {
                let done = m.ctxs.pop()?;
                let parent = m.ctxs.last()?;
                pc = parent.pc;
                ptr = parent.ptr;
                m.resume(done.jump, ret, &mut pc, &mut ptr)
            }
        };
        if let (Flow::Ret(ret), 1) = (&flow, m.ctxs.len()) {
            return Some(*ret);
        }
    }
}

impl Ctx {
    fn new(pc: usize, jump: Jump) -> Ctx {
        Ctx {
            pc,
            ptr: 0,
            count: 0,
            lastmark: -1,
            rep: NULL,
            jump,
        }
    }
}

fn fold(c: char, fold: Fold) -> u32 {
    match fold {
        Fold::No => c as u32,
        Fold::Ascii => u::lower_ascii(c as u32),
        Fold::Uni => u::lower(c as u32),
    }
}

fn test(unit: &Unit, c: char) -> bool {
    match unit {
        Unit::Any => c != '\n',
        Unit::AnyAll => true,
        Unit::Lit { c: l, neg, fold: f } => (fold(c, *f) == *l) != *neg,
        Unit::Set { set, fold: f } => set.contains(fold(c, *f)),
    }
}

impl Machine<'_> {
    fn top(&mut self) -> &mut Ctx {
        let last = self.ctxs.len() - 1;
        &mut self.ctxs[last]
    }

    fn spend(&mut self, n: usize) {
        self.steps = self.steps.saturating_sub(n);
    }

    /// `DO_JUMP`: saves where the current context is and continues with `next` at
    /// `state->ptr` in a new context.
    fn jump(&mut self, jump: Jump, next: usize, pc: &mut usize, ptr: &mut usize) -> Flow {
        let top = self.top();
        top.pc = *pc;
        top.ptr = *ptr;
        self.ctxs.push(Ctx::new(next, jump));
        *pc = next;
        *ptr = self.sptr;
        Flow::Run
    }

    fn mark_push(&mut self, lastmark: isize) {
        if lastmark >= 0 {
            let n = lastmark as usize + 1;
            self.data.extend_from_slice(&self.marks[..n]);
            self.spend(n);
        }
    }

    /// `MARK_POP` (`discard`) or `MARK_POP_KEEP`.
    fn mark_pop(&mut self, lastmark: isize, discard: bool) {
        if lastmark >= 0 {
            let n = lastmark as usize + 1;
            let from = self.data.len().saturating_sub(n);
            let k = self.data.len() - from;
            self.marks[..k].copy_from_slice(&self.data[from..]);
            if discard {
                self.data.truncate(from);
            }
        }
    }

    fn mark_discard(&mut self, lastmark: isize) {
        if lastmark >= 0 {
            let n = lastmark as usize + 1;
            self.data.truncate(self.data.len().saturating_sub(n));
        }
    }

    /// `SRE(count)`: how many characters from `ptr` on pass `unit`, at most `max`.
    fn count(&mut self, unit: &Unit, ptr: usize, max: u32) -> usize {
        let end = if max == MAXREPEAT {
            self.text.len()
        } else {
            self.text.len().min(ptr.saturating_add(max as usize))
        };
        let n = self.text[ptr..end]
            .iter()
            .take_while(|&&c| test(unit, c))
            .count();
        self.spend(n);
        n
    }

    fn is_word(&self, i: usize, uni: bool) -> bool {
        self.text.get(i).is_some_and(|&c| u::is_word(c, uni))
    }

    /// `SRE(at)`.
    fn at(&self, at: At, ptr: usize) -> bool {
        let end = self.text.len();
        let before = |uni| ptr > 0 && self.is_word(ptr - 1, uni);
        match at {
            At::Beginning => ptr == 0,
            At::BeginningLine => ptr == 0 || self.text[ptr - 1] == '\n',
            At::End => ptr == end || (ptr + 1 == end && self.text[ptr] == '\n'),
            At::EndLine => ptr == end || self.text[ptr] == '\n',
            At::EndString => ptr == end,
            At::Boundary { uni } => end > 0 && before(uni) != self.is_word(ptr, uni),
            At::NonBoundary { uni } => end > 0 && before(uni) == self.is_word(ptr, uni),
        }
    }

    /// The marks of the 0-based `group`, when it has matched.
    fn group(&self, group: usize) -> Option<(usize, usize)> {
        let i = group * 2;
        if i as isize >= self.lastmark {
            return None;
        }
        let (p, e) = (self.marks[i], self.marks[i + 1]);
        (p != NULL && e != NULL && e >= p).then_some((p, e))
    }

    fn rep_bounds(&self, r: usize) -> (isize, u32) {
        match self.prog[self.reps[r].pc] {
            Op::Repeat { min, max, .. } => (min as isize, max),
            _ => (0, 0),
        }
    }

    /// Executes the instruction at `pc`.
    fn step(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let prog = self.prog;
        let end = self.text.len();
        match &prog[*pc] {
            Op::Succ => {
                self.sptr = *ptr;
                Flow::Ret(true)
            }
            Op::Unit(unit) => {
                if *ptr < end && test(unit, self.text[*ptr]) {
                    *ptr += 1;
                    *pc += 1;
                    return Flow::Run;
                }
                Flow::Ret(false)
            }
            Op::At(at) => {
                if self.at(*at, *ptr) {
                    *pc += 1;
                    return Flow::Run;
                }
                Flow::Ret(false)
            }
            Op::Mark(i) => {
                let i = *i;
                if i as isize > self.lastmark {
                    let from = (self.lastmark + 1) as usize;
                    self.marks[from..i].fill(NULL);
                    self.lastmark = i as isize;
                }
                self.marks[i] = *ptr;
                *pc += 1;
                Flow::Run
            }
            Op::Jump(to) => {
                *pc = *to;
                Flow::Run
            }
            Op::Branch(_) => {
                let lastmark = self.lastmark;
                self.top().lastmark = lastmark;
                if self.repeat.is_some() {
                    self.mark_push(lastmark);
                }
                self.branch(0, pc, ptr)
            }
            Op::RepeatOne {
                kind,
                min,
                max,
                unit,
            } => {
                let min = *min as usize;
                if min > end - *ptr {
                    return Flow::Ret(false);
                }
                self.sptr = *ptr;
                let n = match kind {
                    RepKind::Lazy if min == 0 => 0,
                    RepKind::Lazy => self.count(unit, *ptr, min as u32),
                    _ => self.count(unit, *ptr, *max),
                };
                *ptr += n;
                if n < min {
                    return Flow::Ret(false);
                }
                if *kind == RepKind::Possessive {
                    *pc += 1;
                    return Flow::Run;
                }
                let lastmark = self.lastmark;
                let top = self.top();
                top.count = n as isize;
                top.lastmark = lastmark;
                if self.repeat.is_some() {
                    self.mark_push(lastmark);
                }
                if *kind == RepKind::Greedy {
                    self.repeat_one(pc, ptr)
                } else {
                    self.min_repeat_one(pc, ptr)
                }
            }
            Op::Repeat { until, .. } => {
                self.reps.push(Rep {
                    count: -1,
                    pc: *pc,
                    prev: self.repeat,
                    last_ptr: NULL,
                });
                let r = self.reps.len() - 1;
                self.top().rep = r;
                self.repeat = Some(r);
                self.sptr = *ptr;
                self.jump(Jump::Repeat, *until, pc, ptr)
            }
            Op::Until { lazy } => {
                // `SRE_ERROR_STATE` cannot happen: an `Until` is only reached from its `Repeat`.
                let Some(r) = self.repeat else {
                    return Flow::Ret(false);
                };
                self.sptr = *ptr;
                let count = self.reps[r].count + 1;
                let top = self.top();
                top.rep = r;
                top.count = count;
                let (min, _) = self.rep_bounds(r);
                let body = self.reps[r].pc + 1;
                if count < min {
                    self.reps[r].count = count;
                    let jump = if *lazy {
                        Jump::MinUntil1
                    } else {
                        Jump::MaxUntil1
                    };
                    return self.jump(jump, body, pc, ptr);
                }
                if !*lazy {
                    return self.max_until_more(pc, ptr);
                }
                // See if the tail matches first.
                self.repeat = self.reps[r].prev;
                let lastmark = self.lastmark;
                self.top().lastmark = lastmark;
                if self.repeat.is_some() {
                    self.mark_push(lastmark);
                }
                self.jump(Jump::MinUntil2, *pc + 1, pc, ptr)
            }
            Op::PossRepeat { .. } => {
                self.sptr = *ptr;
                self.top().count = 0;
                self.poss_min(pc, ptr)
            }
            Op::Atomic { .. } => {
                self.sptr = *ptr;
                self.jump(Jump::Atomic, *pc + 1, pc, ptr)
            }
            Op::Assert {
                back,
                negate: false,
                ..
            } => {
                if *ptr < *back {
                    return Flow::Ret(false);
                }
                self.sptr = *ptr - *back;
                self.jump(Jump::Assert, *pc + 1, pc, ptr)
            }
            Op::Assert {
                back,
                negate: true,
                tail,
            } => {
                if *ptr < *back {
                    *pc = *tail;
                    return Flow::Run;
                }
                self.sptr = *ptr - *back;
                let lastmark = self.lastmark;
                self.top().lastmark = lastmark;
                if self.repeat.is_some() {
                    self.mark_push(lastmark);
                }
                self.jump(Jump::AssertNot, *pc + 1, pc, ptr)
            }
            Op::GroupRef { group, fold: f } => {
                let Some((p, e)) = self.group(*group) else {
                    return Flow::Ret(false);
                };
                self.spend(e - p);
                let text = self.text;
                if e - p > end - *ptr
                    || (p..e).any(|i| fold(text[i], *f) != fold(text[*ptr + i - p], *f))
                {
                    return Flow::Ret(false);
                }
                *ptr += e - p;
                *pc += 1;
                Flow::Run
            }
            Op::GroupRefExists { group, no } => {
                *pc = if self.group(*group).is_some() {
                    *pc + 1
                } else {
                    *no
                };
                Flow::Run
            }
        }
    }

    /// Tries alternative `i` of the `Branch` at `pc`.
    fn branch(&mut self, i: usize, pc: &mut usize, ptr: &mut usize) -> Flow {
        let prog = self.prog;
        let Op::Branch(alts) = &prog[*pc] else {
            return Flow::Ret(false);
        };
        if let Some(&alt) = alts.get(i) {
            self.top().count = i as isize;
            self.sptr = *ptr;
            return self.jump(Jump::Branch, alt, pc, ptr);
        }
        if self.repeat.is_some() {
            let lastmark = self.top().lastmark;
            self.mark_discard(lastmark);
        }
        Flow::Ret(false)
    }

    fn repeat_min(&self, pc: usize) -> (isize, u32) {
        match self.prog[pc] {
            Op::RepeatOne { min, max, .. } => (min as isize, max),
            _ => (0, 0),
        }
    }

    /// `REPEAT_ONE`: tries the tail after `count` characters, then one fewer, ...
    fn repeat_one(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let (min, _) = self.repeat_min(*pc);
        if self.top().count >= min {
            self.sptr = *ptr;
            return self.jump(Jump::RepeatOne, *pc + 1, pc, ptr);
        }
        if self.repeat.is_some() {
            let lastmark = self.top().lastmark;
            self.mark_discard(lastmark);
        }
        Flow::Ret(false)
    }

    /// `MIN_REPEAT_ONE`: tries the tail after `count` characters, then one more, ...
    fn min_repeat_one(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let (_, max) = self.repeat_min(*pc);
        if max == MAXREPEAT || self.top().count <= max as isize {
            self.sptr = *ptr;
            return self.jump(Jump::MinRepeatOne, *pc + 1, pc, ptr);
        }
        if self.repeat.is_some() {
            let lastmark = self.top().lastmark;
            self.mark_discard(lastmark);
        }
        Flow::Ret(false)
    }

    /// `MAX_UNTIL` once the minimum is reached: one more iteration unless the last one was
    /// empty, else the tail.
    fn max_until_more(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let top = self.top();
        let (r, count) = (top.rep, top.count);
        let (_, max) = self.rep_bounds(r);
        if (max == MAXREPEAT || count < max as isize) && self.sptr != self.reps[r].last_ptr {
            self.reps[r].count = count;
            let lastmark = self.lastmark;
            self.top().lastmark = lastmark;
            self.mark_push(lastmark);
            self.data.push(self.reps[r].last_ptr);
            self.reps[r].last_ptr = self.sptr;
            return self.jump(Jump::MaxUntil2, self.reps[r].pc + 1, pc, ptr);
        }
        self.max_until_tail(pc, ptr)
    }

    fn max_until_tail(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let r = self.top().rep;
        self.repeat = self.reps[r].prev;
        self.jump(Jump::MaxUntil3, *pc + 1, pc, ptr)
    }

    fn poss_bounds(&self, pc: usize) -> (isize, u32, usize) {
        match self.prog[pc] {
            Op::PossRepeat { min, max, tail } => (min as isize, max, tail),
            _ => (0, 0, pc),
        }
    }

    /// `POSSESSIVE_REPEAT`'s first loop: the required iterations, each matched atomically.
    fn poss_min(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let (min, _, _) = self.poss_bounds(*pc);
        if self.top().count < min {
            return self.jump(Jump::Poss1, *pc + 1, pc, ptr);
        }
        *ptr = NULL;
        self.poss_more(pc, ptr)
    }

    /// `POSSESSIVE_REPEAT`'s second loop: more iterations while they match and are not
    /// empty, then the tail, never coming back.
    fn poss_more(&mut self, pc: &mut usize, ptr: &mut usize) -> Flow {
        let (_, max, tail) = self.poss_bounds(*pc);
        let count = self.top().count;
        if (max == MAXREPEAT || count < max as isize) && self.sptr != *ptr {
            let lastmark = self.lastmark;
            self.top().lastmark = lastmark;
            self.mark_push(lastmark);
            *ptr = self.sptr;
            return self.jump(Jump::Poss2, *pc + 1, pc, ptr);
        }
        *pc = tail;
        *ptr = self.sptr;
        Flow::Run
    }

    /// A context returned `ret` to its parent, now on top, which resumes after its
    /// `DO_JUMP` (`pc` and `ptr` are the parent's).
    fn resume(&mut self, jump: Jump, ret: bool, pc: &mut usize, ptr: &mut usize) -> Flow {
        let top = self.top();
        let (lastmark, count, r) = (top.lastmark, top.count, top.rep);
        let in_repeat = self.repeat.is_some();
        match jump {
            Jump::None => Flow::Ret(ret),
            Jump::Branch => {
                if ret {
                    if in_repeat {
                        self.mark_discard(lastmark);
                    }
                    return Flow::Ret(true);
                }
                if in_repeat {
                    self.mark_pop(lastmark, false);
                }
                self.lastmark = lastmark;
                self.branch(count as usize + 1, pc, ptr)
            }
            Jump::RepeatOne | Jump::MinRepeatOne => {
                if ret {
                    if in_repeat {
                        self.mark_discard(lastmark);
                    }
                    return Flow::Ret(true);
                }
                if in_repeat {
                    self.mark_pop(lastmark, false);
                }
                self.lastmark = lastmark;
                if let Jump::RepeatOne = jump {
                    let (min, _) = self.repeat_min(*pc);
                    self.top().count -= 1;
                    if count > min {
                        *ptr -= 1;
                    }
                    return self.repeat_one(pc, ptr);
                }
                let unit = match &self.prog[*pc] {
                    Op::RepeatOne { unit, .. } => unit,
                    _ => return Flow::Ret(false),
                };
                self.sptr = *ptr;
                if self.count(unit, *ptr, 1) == 0 {
                    if in_repeat {
                        self.mark_discard(lastmark);
                    }
                    return Flow::Ret(false);
                }
                *ptr += 1;
                self.top().count += 1;
                self.min_repeat_one(pc, ptr)
            }
            Jump::Repeat => {
                self.repeat = self.reps[r].prev;
                self.reps.truncate(r);
                Flow::Ret(ret)
            }
            Jump::MaxUntil1 | Jump::MinUntil1 => {
                if !ret {
                    self.reps[r].count = count - 1;
                    self.sptr = *ptr;
                }
                Flow::Ret(ret)
            }
            Jump::MaxUntil2 => {
                self.reps[r].last_ptr = self.data.pop().unwrap_or(NULL);
                if ret {
                    self.mark_discard(lastmark);
                    return Flow::Ret(true);
                }
                self.mark_pop(lastmark, true);
                self.lastmark = lastmark;
                self.reps[r].count = count - 1;
                self.sptr = *ptr;
                self.max_until_tail(pc, ptr)
            }
            Jump::MaxUntil3 => {
                self.repeat = Some(r);
                if !ret {
                    self.sptr = *ptr;
                }
                Flow::Ret(ret)
            }
            Jump::MinUntil2 => {
                let tail_repeat = self.repeat.is_some();
                self.repeat = Some(r);
                if ret {
                    if tail_repeat {
                        self.mark_discard(lastmark);
                    }
                    return Flow::Ret(true);
                }
                if tail_repeat {
                    self.mark_pop(lastmark, true);
                }
                self.lastmark = lastmark;
                self.sptr = *ptr;
                let (_, max) = self.rep_bounds(r);
                if (max != MAXREPEAT && count >= max as isize) || self.sptr == self.reps[r].last_ptr
                {
                    return Flow::Ret(false);
                }
                self.reps[r].count = count;
                self.data.push(self.reps[r].last_ptr);
                self.reps[r].last_ptr = self.sptr;
                self.jump(Jump::MinUntil3, self.reps[r].pc + 1, pc, ptr)
            }
            Jump::MinUntil3 => {
                self.reps[r].last_ptr = self.data.pop().unwrap_or(NULL);
                if !ret {
                    self.reps[r].count = count - 1;
                    self.sptr = *ptr;
                }
                Flow::Ret(ret)
            }
            Jump::Poss1 => {
                if ret {
                    self.top().count += 1;
                    return self.poss_min(pc, ptr);
                }
                self.sptr = *ptr;
                Flow::Ret(false)
            }
            Jump::Poss2 => {
                if ret {
                    self.mark_discard(lastmark);
                    self.top().count += 1;
                    return self.poss_more(pc, ptr);
                }
                self.mark_pop(lastmark, true);
                self.lastmark = lastmark;
                self.sptr = *ptr;
                let (_, _, tail) = self.poss_bounds(*pc);
                *pc = tail;
                *ptr = self.sptr;
                Flow::Run
            }
            Jump::Atomic => {
                if !ret {
                    self.sptr = *ptr;
                    return Flow::Ret(false);
                }
                if let Op::Atomic { tail } = self.prog[*pc] {
                    *pc = tail;
                }
                *ptr = self.sptr;
                Flow::Run
            }
            Jump::Assert => {
                if !ret {
                    return Flow::Ret(false);
                }
                self.assert_tail(pc)
            }
            Jump::AssertNot => {
                if ret {
                    if in_repeat {
                        self.mark_discard(lastmark);
                    }
                    return Flow::Ret(false);
                }
                if in_repeat {
                    self.mark_pop(lastmark, true);
                }
                self.lastmark = lastmark;
                self.assert_tail(pc)
            }
        }
    }

    fn assert_tail(&mut self, pc: &mut usize) -> Flow {
        if let Op::Assert { tail, .. } = self.prog[*pc] {
            *pc = tail;
        }
        Flow::Run
    }
}
