//! Expressions of check constraints and indexes spelled on the client, character for
//! character as PostgreSQL's `ruleutils.c` deparses them (not pretty-printed: every
//! operator, test and `AND` in its own parentheses).
//!
//! The catalog keeps an expression as a `pg_node_tree`, the text form of the parser's
//! nodes (`{OPEXPR :opno 525 ... :args ({VAR ...} {CONST ...})}`). [`Nodes::parse`]
//! reads the few node kinds that make up most checks, index expressions and index
//! predicates (a column; an integer, numeric, boolean, text or enum constant; an
//! operator, a function call, a cast; `IS [NOT] NULL`, `AND`/`OR`/`NOT`; `IN (...)`,
//! `op ANY/ALL (ARRAY[...])`; `COALESCE`) into a compact list. Anything else (a
//! subscript, `CASE`, a constant of another type) makes it answer `None`, and the
//! server spells that definition. [`Deparser`] then writes an expression as
//! `pg_get_expr` would, with the table's column names and the names of built-in
//! operators and functions, and again answers `None` wherever it cannot be sure that
//! PostgreSQL would write the same (a name that would need quotes or a schema, a type
//! it does not know).

use std::collections::HashMap;

use crate::model::{literal, needs_quotes, QualName};

/// What a node is; the meaning of [`Node`]'s `a`, `b`, `c` and `flag` depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A column of the table: `a` attnum, `b` type, `c` collation.
    Var,
    /// A constant: `a` type, `b` the value (an `int4`, `bool` or `int2`, or an enum
    /// label's oid) or, when `flag` is [`POOLED`], where its text (a string's, or a
    /// `numeric` as `numeric_out` prints it) starts in the pool (up to a NUL, which the
    /// text has none of); `c` collation.
    Const,
    /// An operator: `a` its oid, `b` result type, `c` collation; `arity` operands.
    Op,
    /// A function call: `a` its oid, `b` result type, `c` collation, `flag` how it was
    /// written (`CoercionForm`); `arity` arguments.
    Func,
    /// A binary-compatible cast: `a` type, `b` type modifier, `c` collation, `flag`
    /// how it was written; one argument.
    Relabel,
    /// `IS NULL` (`flag` 0) or `IS NOT NULL` (1); one argument.
    NullTest,
    /// `AND` (`flag` 0), `OR` (1) or `NOT` (2); `arity` arguments.
    Bool,
    /// `x op ANY (array)` (`flag` 1) or `x op ALL (array)` (0): `a` the operator's oid;
    /// two arguments.
    ScalarArrayOp,
    /// `ARRAY[...]`: `a` its type, `b` its elements' type, `c` collation; `arity`
    /// elements.
    Array,
    /// `COALESCE(...)`: `a` its type, `c` collation; `arity` arguments.
    Coalesce,
}

/// A constant whose text is in the pool.
const POOLED: u8 = 1;

/// `CoercionForm`.
const EXPLICIT_CALL: u8 = 0;
const EXPLICIT_CAST: u8 = 1;
const IMPLICIT_CAST: u8 = 2;

const BOOL: u32 = 16;
const INT2: u32 = 21;
const INT4: u32 = 23;
const TEXT: u32 = 25;
const VARCHAR: u32 = 1043;
const NUMERIC: u32 = 1700;
const ANYENUM: u32 = 3500;
/// The default collation's oid.
const DEFAULT_COLLATION: u32 = 100;
/// The first oid PostgreSQL gives an object made after `initdb`: below it, everything
/// is built in.
pub(crate) const FIRST_USER_OID: u32 = 16384;

/// One node of an expression. Nodes are kept in prefix order: a node's arguments
/// follow it, each with its own arguments.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    kind: Kind,
    flag: u8,
    arity: u16,
    a: u32,
    b: u32,
    c: u32,
}

/// The nodes of every expression of one read, and the text of their string constants.
#[derive(Debug, Default)]
pub(crate) struct Nodes {
    nodes: Vec<Node>,
    pool: String,
}

impl Nodes {
    /// Reads one expression (`list` false) or a list of them (`list` true, as
    /// `pg_index.indexprs` holds) onto the end, and answers where it starts; `None`,
    /// with nothing added, when some node is not one this module spells.
    pub fn parse(&mut self, text: &str, list: bool) -> Option<u32> {
        let start = self.nodes.len();
        let pool = self.pool.len();
        let mut reader = Reader {
            tokens: Tokens { rest: text },
            nodes: self,
            depth: 0,
        };
        let parsed = if list {
            reader.list().map(|_| ())
        } else {
            reader.node()
        };
        let parsed = parsed.filter(|()| reader.tokens.next().is_none());
        match (parsed, u32::try_from(start)) {
            (Some(()), Ok(start)) => Some(start),
            _ => {
                self.nodes.truncate(start);
                self.pool.truncate(pool);
                None
            }
        }
    }

    /// Where the expression starting at `at` ends (the next one starts).
    pub fn skip(&self, at: usize) -> Option<usize> {
        let node = self.nodes.get(at)?;
        let mut next = at + 1;
        for _ in 0..node.arity {
            next = self.skip(next)?;
        }
        Some(next)
    }

    /// The columns (attnums) the expressions in `range` name.
    pub fn columns(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = i16> + '_ {
        self.nodes
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter(|n| n.kind == Kind::Var)
            .filter_map(|n| i16::try_from(n.a).ok())
    }

    /// Puts a constant's text in the pool; answers where it starts.
    fn pool(&mut self, text: &str) -> Option<u32> {
        let start = u32::try_from(self.pool.len()).ok()?;
        self.pool.push_str(text);
        self.pool.push('\0');
        Some(start)
    }

    /// The text of a constant put in the pool at `start`.
    fn pooled(&self, start: u32) -> Option<&str> {
        self.pool.get(start as usize..)?.split('\0').next()
    }

    /// Whether the expression at `at` deparses as a function call, which an index
    /// column shows without parentheses (`looks_like_function`).
    pub fn looks_like_function(&self, at: usize) -> bool {
        self.nodes.get(at).is_some_and(|n| {
            (n.kind == Kind::Func && n.flag == EXPLICIT_CALL) || n.kind == Kind::Coalesce
        })
    }

    /// The type (`exprType`) and collation (`exprCollation`) of the expression at `at`.
    pub fn type_and_collation(&self, at: usize) -> Option<(u32, u32)> {
        let node = self.nodes.get(at)?;
        Some(match node.kind {
            Kind::Var | Kind::Op | Kind::Func => (node.b, node.c),
            Kind::Const | Kind::Relabel | Kind::Array | Kind::Coalesce => (node.a, node.c),
            Kind::NullTest | Kind::Bool | Kind::ScalarArrayOp => (BOOL, 0),
        })
    }
}

/// The tokens of a node tree's text: `{`, `}`, `(`, `)` alone, the rest split at
/// white space (a backslash escapes the character after it).
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest.trim_start_matches([' ', '\n', '\t', '\r']);
        let first = text.chars().next()?;
        let len = if matches!(first, '{' | '}' | '(' | ')') {
            1
        } else {
            let mut escaped = false;
            text.char_indices()
                .find(|&(_, ch)| {
                    let end =
                        !escaped && matches!(ch, ' ' | '\n' | '\t' | '\r' | '{' | '}' | '(' | ')');
                    escaped = !escaped && ch == '\\';
                    end
                })
                .map_or(text.len(), |(at, _)| at)
        };
        let (token, rest) = text.split_at(len);
        self.rest = rest;
        Some(token)
    }

    /// The next token as a number.
    fn number<T: std::str::FromStr>(&mut self) -> Option<T> {
        self.next()?.parse().ok()
    }
}

struct Reader<'a, 'n> {
    tokens: Tokens<'a>,
    nodes: &'n mut Nodes,
    /// How deep in nodes the reader is: past [`MAX_DEPTH`] it gives up (the server
    /// spells such an expression), so reading and writing never run out of stack.
    depth: usize,
}

/// The deepest expression this module reads.
const MAX_DEPTH: usize = 100;

impl Reader<'_, '_> {
    /// `(` nodes `)` or `<>` (an empty list); answers how many.
    fn list(&mut self) -> Option<u16> {
        match self.tokens.next()? {
            "<>" => Some(0),
            "(" => {
                let mut count = 0u16;
                loop {
                    let save = self.tokens.rest;
                    if self.tokens.next()? == ")" {
                        return Some(count);
                    }
                    self.tokens.rest = save;
                    self.node()?;
                    count = count.checked_add(1)?;
                }
            }
            _ => None,
        }
    }

    /// Skips a value this module does not read: a token, or a parenthesised or braced
    /// group.
    fn skip_value(&mut self) -> Option<()> {
        let first = self.tokens.next()?;
        let mut depth = match first {
            "(" | "{" => 1,
            ")" | "}" => return None,
            _ => return Some(()),
        };
        while depth > 0 {
            match self.tokens.next()? {
                "(" | "{" => depth += 1,
                ")" | "}" => depth -= 1,
                _ => {}
            }
        }
        Some(())
    }

    /// One node, `{TAG :field value ...}`, with its arguments after it.
    fn node(&mut self) -> Option<()> {
        if self.tokens.next()? != "{" || self.depth == MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let read = self.node_body();
        self.depth -= 1;
        read
    }

    /// [`Reader::node`] after its `{`.
    fn node_body(&mut self) -> Option<()> {
        let kind = match self.tokens.next()? {
            "VAR" => Kind::Var,
            "CONST" => Kind::Const,
            "OPEXPR" => Kind::Op,
            "FUNCEXPR" => Kind::Func,
            "RELABELTYPE" => Kind::Relabel,
            "NULLTEST" => Kind::NullTest,
            "BOOLEXPR" => Kind::Bool,
            "SCALARARRAYOPEXPR" => Kind::ScalarArrayOp,
            // `ARRAY` before PostgreSQL 14.
            "ARRAYEXPR" | "ARRAY" => Kind::Array,
            "COALESCEEXPR" | "COALESCE" => Kind::Coalesce,
            _ => return None,
        };
        let at = self.nodes.nodes.len();
        self.nodes.nodes.push(Node {
            kind,
            flag: 0,
            arity: 0,
            a: 0,
            b: 0,
            c: 0,
        });
        let mut node = self.nodes.nodes[at];
        // Constants: the parts `constvalue` needs, read before it.
        let (mut length, mut by_value, mut null) = (0i32, false, false);
        loop {
            let field = self.tokens.next()?;
            if field == "}" {
                break;
            }
            let field = field.strip_prefix(':')?;
            match (kind, field) {
                (Kind::Var, "varno") | (Kind::Var, "varnosyn") => {
                    (self.tokens.number::<i32>()? == 1).then_some(())?
                }
                (Kind::Var, "varlevelsup") | (Kind::Var, "varreturningtype") => {
                    (self.tokens.number::<i32>()? == 0).then_some(())?
                }
                (Kind::Var, "varattno") => {
                    let attnum = self.tokens.number::<i16>()?;
                    node.a = u32::try_from(attnum).ok().filter(|&a| a > 0)?;
                }
                (Kind::Var, "vartype") => node.b = self.tokens.number()?,
                (Kind::Var, "varcollid") => node.c = self.tokens.number()?,
                (Kind::Const, "consttype") => node.a = self.tokens.number()?,
                (Kind::Const, "consttypmod") => {
                    (self.tokens.number::<i32>()? == -1).then_some(())?
                }
                (Kind::Const, "constcollid") => node.c = self.tokens.number()?,
                (Kind::Const, "constlen") => length = self.tokens.number()?,
                (Kind::Const, "constbyval") => by_value = self.boolean()?,
                (Kind::Const, "constisnull") => null = self.boolean()?,
                (Kind::Const, "constvalue") => {
                    if null {
                        return None;
                    }
                    self.constant(&mut node, length, by_value)?;
                }
                (Kind::Op | Kind::ScalarArrayOp, "opno") | (Kind::Func, "funcid") => {
                    node.a = self.tokens.number()?
                }
                (Kind::ScalarArrayOp, "useOr") => node.flag = u8::from(self.boolean()?),
                (Kind::Array, "array_typeid") => node.a = self.tokens.number()?,
                (Kind::Array, "element_typeid") => node.b = self.tokens.number()?,
                (Kind::Array, "array_collid") => node.c = self.tokens.number()?,
                (Kind::Array, "elements") => node.arity = self.list()?,
                (Kind::Coalesce, "coalescetype") => node.a = self.tokens.number()?,
                (Kind::Coalesce, "coalescecollid") => node.c = self.tokens.number()?,
                (Kind::Array, "multidims") => (!self.boolean()?).then_some(())?,
                (Kind::Op, "opresulttype") | (Kind::Func, "funcresulttype") => {
                    node.b = self.tokens.number()?
                }
                (Kind::Op, "opcollid") | (Kind::Func, "funccollid") => {
                    node.c = self.tokens.number()?
                }
                (Kind::Op, "opretset")
                | (Kind::Func, "funcretset")
                | (Kind::Func, "funcvariadic") => (!self.boolean()?).then_some(())?,
                (Kind::Func, "funcformat") => node.flag = self.tokens.number()?,
                (
                    Kind::Op | Kind::Func | Kind::Bool | Kind::ScalarArrayOp | Kind::Coalesce,
                    "args",
                ) => node.arity = self.list()?,
                (Kind::Relabel | Kind::NullTest, "arg") => {
                    self.node()?;
                    node.arity = 1;
                }
                (Kind::Relabel, "resulttype") => node.a = self.tokens.number()?,
                (Kind::Relabel, "resulttypmod") => node.b = self.tokens.number::<i32>()? as u32,
                (Kind::Relabel, "resultcollid") => node.c = self.tokens.number()?,
                (Kind::Relabel, "relabelformat") => node.flag = self.tokens.number()?,
                (Kind::NullTest, "nulltesttype") => node.flag = self.tokens.number()?,
                (Kind::NullTest, "argisrow") => (!self.boolean()?).then_some(())?,
                (Kind::Bool, "boolop") => {
                    node.flag = match self.tokens.next()? {
                        "and" => 0,
                        "or" => 1,
                        "not" => 2,
                        _ => return None,
                    }
                }
                _ => self.skip_value()?,
            }
        }
        // Every node read needs its own parts: an operator with no operands, a test with
        // no argument is not one this module knows.
        let complete = match kind {
            Kind::Var => node.a > 0,
            Kind::Const => node.a != 0,
            Kind::Op => (1..=2).contains(&node.arity) && node.a != 0,
            Kind::Func => {
                node.a != 0
                    && node.flag <= IMPLICIT_CAST
                    && (node.flag == EXPLICIT_CALL || node.arity > 0)
            }
            Kind::Relabel => node.arity == 1 && node.flag <= IMPLICIT_CAST,
            Kind::NullTest => node.arity == 1 && node.flag <= 1,
            Kind::Bool => node.arity > 0,
            Kind::ScalarArrayOp => node.arity == 2 && node.a != 0,
            // An empty ARRAY[] is written with its type, which this does not name.
            Kind::Array => node.arity > 0 && node.a != 0 && node.b != 0,
            Kind::Coalesce => node.arity > 0 && node.a != 0,
        };
        complete.then_some(())?;
        self.nodes.nodes[at] = node;
        Some(())
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.tokens.next()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A constant's value, `length [ byte ... ]`, for the types this module spells.
    /// Bytes are the server's memory: a value passed by value is read as a
    /// little-endian `Datum` and must fit its type, which a big-endian server's bytes
    /// never do (but for 0 and -1, the same either way); a string must have the
    /// four-byte header a constant is made with, stating the length printed.
    fn constant(&mut self, node: &mut Node, length: i32, by_value: bool) -> Option<()> {
        let count = self.tokens.number::<usize>()?;
        if self.tokens.next()? != "[" {
            return None;
        }
        let mut bytes = Vec::with_capacity(count.min(256));
        loop {
            match self.tokens.next()? {
                "]" => break,
                byte => bytes.push(byte.parse::<i8>().ok()? as u8),
            }
        }
        if by_value {
            if bytes.len() > 8 {
                return None;
            }
            let mut datum = [0u8; 8];
            datum[..bytes.len()].copy_from_slice(&bytes);
            if let Some(&last) = bytes.last() {
                if last & 0x80 != 0 {
                    datum[bytes.len()..].fill(0xff);
                }
            }
            let value = i64::from_le_bytes(datum);
            let fits = match (node.a, length) {
                (BOOL, 1) => (0..=1).contains(&value),
                (INT2, 2) => i16::try_from(value).is_ok(),
                (INT4, 4) => i32::try_from(value).is_ok(),
                // An oid (an enum's label): unsigned.
                (t, 4) if t >= FIRST_USER_OID => u32::try_from(value).is_ok(),
                _ => false,
            };
            fits.then_some(())?;
            node.b = value as u32;
            return Some(());
        }
        if length != -1
            || !matches!(node.a, TEXT | VARCHAR | NUMERIC)
            || bytes.len() != count
            || count < 4
        {
            return None;
        }
        let header = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if header & 3 != 0 || (header >> 2) as usize != count {
            return None;
        }
        if node.a == NUMERIC {
            node.b = self.nodes.pool(&numeric_text(&bytes[4..])?)?;
            node.flag = POOLED;
            return Some(());
        }
        // Printable ASCII without a backslash reads the same in every server encoding
        // and under either `standard_conforming_strings`.
        let text = &bytes[4..];
        if !text
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) && b != b'\\')
        {
            return None;
        }
        node.b = self.nodes.pool(std::str::from_utf8(text).ok()?)?;
        node.flag = POOLED;
        Some(())
    }
}

/// What `numeric_out` prints for a `numeric` in its stored form (after the varlena
/// header): the short or long header (sign, display scale, weight), then base-10000
/// digits, all little-endian; `None` for NaN and the infinities, or bytes that are not
/// one.
fn numeric_text(bytes: &[u8]) -> Option<String> {
    use std::fmt::Write as _;
    let word = |at: usize| Some(u16::from_le_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
    let header = word(0)?;
    let (negative, scale, weight, digits_at) = match header & 0xC000 {
        // Short: sign bit, six bits of scale, a seven-bit signed weight.
        0x8000 => {
            let weight = (header & 0x3F) as i16 - if header & 0x40 != 0 { 64 } else { 0 };
            (header & 0x2000 != 0, (header & 0x1F80) >> 7, weight, 2)
        }
        sign @ (0x0000 | 0x4000) => (sign == 0x4000, header & 0x3FFF, word(2)? as i16, 4),
        _ => return None,
    };
    let rest = bytes.get(digits_at..)?;
    if rest.len() % 2 != 0 {
        return None;
    }
    let digits: Vec<i16> = rest
        .chunks(2)
        .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    if digits.iter().any(|d| !(0..10_000).contains(d)) || weight > 1000 {
        return None;
    }
    let digit = |at: i32| match usize::try_from(at) {
        Ok(at) => digits.get(at).copied().unwrap_or(0),
        Err(_) => 0,
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for at in 0..=i32::from(weight) {
            let _ = match at {
                0 => write!(out, "{}", digit(at)),
                _ => write!(out, "{:04}", digit(at)),
            };
        }
    }
    if scale > 0 {
        out.push('.');
        let mut fraction = String::new();
        let mut at = i32::from(weight) + 1;
        while fraction.len() < usize::from(scale) {
            let _ = write!(fraction, "{:04}", digit(at));
            at += 1;
        }
        fraction.truncate(usize::from(scale));
        out.push_str(&fraction);
    }
    Some(out)
}

/// A built-in function's name and argument types, and whether the name alone finds
/// it (no function of that name in `pg_catalog` has defaults or is variadic).
struct Function<'a> {
    name: &'a str,
    args: &'a [u32],
    plain: bool,
}

/// An operator's name and operand types (0 for a prefix operator's left).
struct Operator<'a> {
    name: &'a str,
    left: u32,
    right: u32,
}

/// Writes expressions as PostgreSQL does, from [`Nodes`] and the names they need.
pub(crate) struct Deparser<'a> {
    nodes: &'a Nodes,
    operators: HashMap<u32, Operator<'a>>,
    functions: HashMap<u32, Function<'a>>,
    /// Enum labels by oid, with their type.
    labels: HashMap<u32, (&'a str, u32)>,
    /// User enums by oid.
    enums: HashMap<u32, &'a QualName>,
}

impl<'a> Deparser<'a> {
    pub fn new(nodes: &'a Nodes) -> Self {
        Deparser {
            nodes,
            operators: HashMap::new(),
            functions: HashMap::new(),
            labels: HashMap::new(),
            enums: HashMap::new(),
        }
    }

    /// A built-in operator: `left` is 0 for a prefix operator.
    pub fn add_operator(&mut self, oid: u32, name: &'a str, left: u32, right: u32) {
        let operator = Operator { name, left, right };
        self.operators.insert(oid, operator);
    }

    /// A function in `pg_catalog`; `plain`: no function of its name has defaults or is
    /// variadic.
    pub fn add_function(&mut self, oid: u32, name: &'a str, args: &'a [u32], plain: bool) {
        let function = Function { name, args, plain };
        self.functions.insert(oid, function);
    }

    /// An enum's label.
    pub fn add_label(&mut self, oid: u32, label: &'a str, enum_oid: u32) {
        self.labels.insert(oid, (label, enum_oid));
    }

    /// A user enum.
    pub fn add_enum(&mut self, oid: u32, name: &'a QualName) {
        self.enums.insert(oid, name);
    }

    /// Writes the expression at `at` as `pg_get_expr` does at the top of an
    /// expression (implicit casts not shown), with `column` giving the table's
    /// columns; `None` where this cannot be sure of it (`out` then holds a part).
    pub fn write<'c>(
        &self,
        out: &mut String,
        at: usize,
        column: &impl Fn(i16) -> Option<&'c str>,
    ) -> Option<()> {
        let context = Context {
            deparser: self,
            column,
        };
        context.expr(out, at, false)
    }

    /// The name `format_type` gives a type with no modifier, where this knows it: a
    /// built-in scalar type's, or a user enum's.
    pub fn type_name(&self, oid: u32) -> Option<std::borrow::Cow<'a, str>> {
        self.type_with_modifier(oid, -1)
    }

    /// `format_type_with_typemod`, for the built-in types this knows and user enums.
    fn type_with_modifier(&self, oid: u32, typmod: i32) -> Option<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow;
        if let Some(row) = self.enums.get(&oid) {
            if typmod != -1 {
                return None;
            }
            let (schema, name) = (bare(&row.schema)?, bare(&row.name)?);
            return Some(Cow::Owned(format!("{schema}.{name}")));
        }
        let name = builtin_type(oid)?;
        match (oid, typmod) {
            (_, -1) => Some(Cow::Borrowed(name)),
            (NUMERIC, m) if m >= 4 => {
                // Precision and a scale from 0 up; a negative scale (PostgreSQL 15) is
                // left to the server.
                let (precision, scale) = ((m - 4) >> 16, (m - 4) & 0xffff);
                (precision <= 1000 && scale <= precision)
                    .then(|| Cow::Owned(format!("numeric({precision},{scale})")))
            }
            (VARCHAR, m) if m >= 4 => Some(Cow::Owned(format!("character varying({})", m - 4))),
            _ => None,
        }
    }

    /// The expressions this writes.
    pub fn nodes(&self) -> &'a Nodes {
        self.nodes
    }

    /// The type of the expression at `at`.
    fn type_of(&self, at: usize) -> Option<u32> {
        self.nodes.type_and_collation(at).map(|(t, _)| t)
    }
}

/// The built-in scalar types a deparsed expression may name, as `format_type` spells
/// them with no modifier (their oids are fixed in every version).
fn builtin_type(oid: u32) -> Option<&'static str> {
    Some(match oid {
        BOOL => "boolean",
        17 => "bytea",
        20 => "bigint",
        INT2 => "smallint",
        INT4 => "integer",
        TEXT => "text",
        26 => "oid",
        114 => "json",
        700 => "real",
        701 => "double precision",
        869 => "inet",
        VARCHAR => "character varying",
        1082 => "date",
        1083 => "time without time zone",
        1114 => "timestamp without time zone",
        1184 => "timestamp with time zone",
        1186 => "interval",
        NUMERIC => "numeric",
        2950 => "uuid",
        3802 => "jsonb",
        _ => return None,
    })
}

/// One expression's deparsing: the names, and the table's columns.
struct Context<'d, 'a, F> {
    deparser: &'d Deparser<'a>,
    column: &'d F,
}

impl<'c, F: Fn(i16) -> Option<&'c str>> Context<'_, '_, F> {
    fn node(&self, at: usize) -> Option<&Node> {
        self.deparser.nodes.nodes.get(at)
    }

    /// The positions of the arguments of the node at `at`.
    fn args(&self, at: usize) -> Option<Vec<usize>> {
        let node = self.node(at)?;
        let mut next = at + 1;
        let mut args = Vec::with_capacity(usize::from(node.arity));
        for _ in 0..node.arity {
            args.push(next);
            next = self.deparser.nodes.skip(next)?;
        }
        Some(args)
    }

    /// The types of the expressions at `args`.
    fn types(&self, args: &[usize]) -> Option<Vec<u32>> {
        args.iter().map(|&arg| self.deparser.type_of(arg)).collect()
    }

    /// `get_rule_expr`: writes the expression at `at`.
    fn expr(&self, out: &mut String, at: usize, show_implicit: bool) -> Option<()> {
        let node = *self.node(at)?;
        match node.kind {
            Kind::Var => {
                let column = (self.column)(i16::try_from(node.a).ok()?)?;
                out.push_str(bare(column)?);
            }
            Kind::Const => self.constant(out, &node, 0)?,
            Kind::Op => {
                let args = self.args(at)?;
                let operator = self.deparser.operators.get(&node.a)?;
                let types = self.types(&args)?;
                let (left, right) = match types[..] {
                    [left, right] => (left, right),
                    [right] => (0, right),
                    _ => return None,
                };
                self.operator_found(operator, left, right).then_some(())?;
                out.push('(');
                if let [left, _] = args[..] {
                    self.expr(out, left, true)?;
                    out.push(' ');
                    out.push_str(operator.name);
                    out.push(' ');
                } else {
                    out.push_str(operator.name);
                    out.push(' ');
                }
                self.expr(out, *args.last()?, true)?;
                out.push(')');
            }
            Kind::Func => {
                let args = self.args(at)?;
                match node.flag {
                    IMPLICIT_CAST if !show_implicit => {
                        self.expr(out, args[0], false)?;
                    }
                    EXPLICIT_CAST | IMPLICIT_CAST => {
                        // A length coercion's second argument is the type modifier.
                        let typmod = match args[..] {
                            [_] => -1,
                            [_, modifier, ..] => {
                                let m = self.node(modifier)?;
                                (m.kind == Kind::Const && m.a == INT4 && m.flag != POOLED)
                                    .then_some(m.b as i32)?
                            }
                            [] => return None,
                        };
                        self.coercion(out, args[0], node.b, typmod)?;
                    }
                    EXPLICIT_CALL => {
                        let function = self.deparser.functions.get(&node.a)?;
                        let types = self.types(&args)?;
                        (function.plain && function.args == types.as_slice()).then_some(())?;
                        out.push_str(bare(function.name)?);
                        out.push('(');
                        for (i, &arg) in args.iter().enumerate() {
                            if i > 0 {
                                out.push_str(", ");
                            }
                            self.expr(out, arg, true)?;
                        }
                        out.push(')');
                    }
                    _ => return None,
                }
            }
            Kind::Relabel => {
                if node.flag == IMPLICIT_CAST && !show_implicit {
                    self.expr(out, at + 1, false)?;
                } else {
                    self.coercion(out, at + 1, node.a, node.b as i32)?;
                }
            }
            Kind::NullTest => {
                // A row value's test reads otherwise (`IS DISTINCT FROM NULL`): only
                // types known to be scalar are spelled.
                let arg_type = self.deparser.type_of(at + 1)?;
                (builtin_type(arg_type).is_some() || self.deparser.enums.contains_key(&arg_type))
                    .then_some(())?;
                out.push('(');
                self.expr(out, at + 1, true)?;
                out.push_str(if node.flag == 0 {
                    " IS NULL)"
                } else {
                    " IS NOT NULL)"
                });
            }
            Kind::ScalarArrayOp => {
                let args = self.args(at)?;
                let operator = self.deparser.operators.get(&node.a)?;
                let (left, array) = (args[0], args[1]);
                // The operator is looked up with the array's element type.
                let elements = self.node(array).filter(|n| n.kind == Kind::Array)?.b;
                self.operator_found(operator, self.deparser.type_of(left)?, elements)
                    .then_some(())?;
                out.push('(');
                self.expr(out, left, true)?;
                out.push(' ');
                out.push_str(operator.name);
                out.push_str(if node.flag == 1 { " ANY (" } else { " ALL (" });
                self.expr(out, array, true)?;
                out.push_str("))");
            }
            Kind::Array | Kind::Coalesce => {
                out.push_str(if node.kind == Kind::Array {
                    "ARRAY["
                } else {
                    "COALESCE("
                });
                for (i, element) in self.args(at)?.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.expr(out, element, true)?;
                }
                out.push(if node.kind == Kind::Array { ']' } else { ')' });
            }
            Kind::Bool => {
                let args = self.args(at)?;
                out.push('(');
                if node.flag == 2 {
                    out.push_str("NOT ");
                    self.expr(out, *args.first()?, false)?;
                } else {
                    for (i, &arg) in args.iter().enumerate() {
                        if i > 0 {
                            out.push_str(if node.flag == 0 { " AND " } else { " OR " });
                        }
                        self.expr(out, arg, false)?;
                    }
                }
                out.push(')');
            }
        }
        Some(())
    }

    /// Whether PostgreSQL finds `operator` by its bare name for operands of these
    /// types (else it would write `OPERATOR(schema.name)`): a built-in operator for
    /// exactly these types, or one for enums between two values of one user enum.
    fn operator_found(&self, operator: &Operator, left: u32, right: u32) -> bool {
        (operator.left == left && operator.right == right)
            || (operator.left == ANYENUM
                && operator.right == ANYENUM
                && left == right
                && self.deparser.enums.contains_key(&left))
    }

    /// `get_coercion_expr`: the argument, then `::type`.
    fn coercion(&self, out: &mut String, arg: usize, result: u32, typmod: i32) -> Option<()> {
        let node = *self.node(arg)?;
        if node.kind == Kind::Const && node.a == result {
            self.constant(out, &node, -1)?;
        } else {
            out.push('(');
            self.expr(out, arg, false)?;
            out.push(')');
        }
        out.push_str("::");
        out.push_str(&self.deparser.type_with_modifier(result, typmod)?);
        Some(())
    }

    /// `get_const_expr`: `show_type` -1 never labels the value with its type, 0 where
    /// reading it back would not give the type.
    fn constant(&self, out: &mut String, node: &Node, show_type: i8) -> Option<()> {
        let collation_is_the_types =
            node.c == 0 || (matches!(node.a, TEXT | VARCHAR) && node.c == DEFAULT_COLLATION);
        collation_is_the_types.then_some(())?;
        let label = match (node.a, node.flag) {
            (INT4, _) => {
                let value = node.b as i32;
                if value >= 0 {
                    out.push_str(&value.to_string());
                    false
                } else {
                    quoted(out, &value.to_string());
                    true
                }
            }
            (BOOL, _) => {
                out.push_str(if node.b == 1 { "true" } else { "false" });
                false
            }
            (INT2, _) => {
                quoted(out, &(node.b as i32 as i16).to_string());
                true
            }
            (NUMERIC, POOLED) => {
                // Unquoted when it reads back as a numeric: unsigned, with a point or
                // an exponent (else it would read as an integer).
                let text = self.deparser.nodes.pooled(node.b)?;
                let plain = text.starts_with(|c: char| c.is_ascii_digit())
                    && text.contains(['e', 'E', '.']);
                if plain {
                    out.push_str(text);
                } else {
                    quoted(out, text);
                }
                !plain
            }
            (_, POOLED) => {
                quoted(out, self.deparser.nodes.pooled(node.b)?);
                true
            }
            (typid, _) => {
                let (label, label_type) = self.deparser.labels.get(&node.b)?;
                (*label_type == typid && !label.contains('\\')).then_some(())?;
                quoted(out, label);
                true
            }
        };
        if label && show_type >= 0 {
            out.push_str("::");
            out.push_str(&self.deparser.type_with_modifier(node.a, -1)?);
        }
        Some(())
    }
}

/// `simple_quote_literal`, for text without a backslash (whose spelling would depend on
/// `standard_conforming_strings`).
fn quoted(out: &mut String, text: &str) {
    out.push_str(&literal(text));
}

/// The name as `quote_identifier` writes it when it needs no quotes in any supported
/// PostgreSQL version, else `None` (the server then spells it: which keywords need
/// quotes changes between versions, and `quote_identifier` also quotes `$`).
pub(crate) fn bare(name: &str) -> Option<&str> {
    (!needs_quotes(name) && !name.contains('$')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_reads_into_nodes_in_prefix_order() {
        let mut nodes = Nodes::default();
        let text = "{OPEXPR :opno 521 :opfuncid 147 :opresulttype 16 :opretset false \
            :opcollid 0 :inputcollid 0 :args ({VAR :varno 1 :varattno 1 :vartype 23 \
            :vartypmod -1 :varcollid 0 :varnullingrels (b) :varlevelsup 0 :varnosyn 1 \
            :varattnosyn 1 :location 120} {CONST :consttype 23 :consttypmod -1 \
            :constcollid 0 :constlen 4 :constbyval true :constisnull false :location 124 \
            :constvalue 4 [ -5 -1 -1 -1 -1 -1 -1 -1 ]}) :location 122}";
        assert_eq!(nodes.parse(text, false), Some(0));
        assert_eq!(nodes.nodes.len(), 3);
        assert_eq!(nodes.nodes[0].kind, Kind::Op);
        assert_eq!(nodes.nodes[2].b as i32, -5);
        assert_eq!(nodes.skip(0), Some(3));
        // A big-endian server's 1 reads as 2^32 here: not an int4, so not read.
        let big_endian = text.replace("[ -5 -1 -1 -1 -1 -1 -1 -1 ]", "[ 0 0 0 0 0 0 0 1 ]");
        assert_eq!(nodes.parse(&big_endian, false), None);
        assert_eq!(nodes.nodes.len(), 3, "a failed read leaves nothing behind");
        // A node kind not spelled here.
        let unknown = "{SCALARARRAYOPEXPR :opno 98 :args <>}";
        assert_eq!(nodes.parse(unknown, false), None);
    }

    #[test]
    fn a_numeric_reads_as_numeric_out_prints_it() {
        // Short form: 1.5 is weight 0, scale 1, digits 1 and 5000.
        assert_eq!(
            numeric_text(&[0x80, 0x80, 1, 0, 0x88, 0x13]).as_deref(),
            Some("1.5")
        );
        // Zero with scale 2: no digits.
        assert_eq!(numeric_text(&[0x00, 0x81]).as_deref(), Some("0.00"));
        // -12345.6: weight 1, digits 1, 2345, 6000, scale 1, negative.
        let negative = [0x81, 0xA0, 1, 0, 0x29, 0x09, 0x70, 0x17];
        assert_eq!(numeric_text(&negative).as_deref(), Some("-12345.6"));
        // 0.0001: weight -1, digit 1, scale 4.
        assert_eq!(numeric_text(&[0x7F, 0x82, 1, 0]).as_deref(), Some("0.0001"));
        // Long form: 20000 is weight 1, digits 2 and 0.
        assert_eq!(numeric_text(&[0, 0, 1, 0, 2, 0]).as_deref(), Some("20000"));
        // NaN is left to the server.
        assert_eq!(numeric_text(&[0x00, 0xC0]), None);
    }

    #[test]
    fn an_expression_deeper_than_the_limit_is_left_to_the_server() {
        let var = "{VAR :varno 1 :varattno 1 :vartype 16 :varcollid 0 :varlevelsup 0}";
        let nested = |depth: usize| {
            let mut text = var.to_owned();
            for _ in 1..depth {
                text = format!("{{BOOLEXPR :boolop not :args ({text}) :location -1}}");
            }
            text
        };
        let mut nodes = Nodes::default();
        assert!(nodes.parse(&nested(MAX_DEPTH), false).is_some());
        assert!(nodes.parse(&nested(MAX_DEPTH + 1), false).is_none());
    }

    #[test]
    fn a_string_constant_needs_its_four_byte_header_and_plain_ascii() {
        let constant = |bytes: &str| {
            format!(
                "{{CONST :consttype 25 :consttypmod -1 :constcollid 100 :constlen -1 \
                 :constbyval false :constisnull false :location 1 :constvalue {bytes}}}"
            )
        };
        let mut nodes = Nodes::default();
        assert!(nodes
            .parse(&constant("5 [ 20 0 0 0 120 ]"), false)
            .is_some());
        assert_eq!(nodes.pool, "x\0");
        assert_eq!(nodes.skip(0), Some(1), "a constant has no arguments");
        assert!(nodes.parse(&constant("5 [ 0 0 0 5 120 ]"), false).is_none());
        assert!(nodes.parse(&constant("5 [ 20 0 0 0 92 ]"), false).is_none());
        assert!(nodes
            .parse(&constant("5 [ 20 0 0 0 -61 ]"), false)
            .is_none());
    }
}
