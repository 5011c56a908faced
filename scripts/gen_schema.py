#!/usr/bin/env python3
"""Generates the benchmark schemas: a deterministic (seeded) PostgreSQL schema of N
tables, and a copy of it with about 2% of its objects changed.

    scripts/gen_schema.py N [--variant a|b] [--seed S] [--schemas K] [-o FILE] [--stats]

Variant `a` is the base schema; variant `b` is the same schema with about 2% of its
objects changed (columns added, dropped and retyped, defaults and NOT NULL changed,
checks changed, indexes added, dropped and redefined, views redefined, enum values
added, function bodies changed, triggers changed, a few tables created and dropped).
The same N and seed always give byte-identical output, on any machine.

What a schema holds (for every table):
  - a `bigint GENERATED ALWAYS AS IDENTITY` primary key, 8 to 15 columns in all, of
    mixed types: bigint, integer, text, varchar(n), numeric(p,s), boolean, timestamptz,
    date, jsonb, uuid, text[], and enums;
  - foreign keys to earlier tables, check constraints, defaults, NOT NULL, some UNIQUE;
  - btree, composite, partial, expression (lower(col)) and GIN (jsonb, text[]) indexes;
and for every ten tables: an enum used by a column, a view joining two tables, a
plpgsql trigger function and a trigger that calls it.

By default the tables are spread over four schemas (app, billing, crm, ops), ten by
ten. With `--schemas K` they are cut into K schemas s0000, s0001, ... of N/K tables
each (the 50,000-table benchmark is 1,000 schemas of 50): foreign keys stay within a
schema, and each schema has one enum, one view, one trigger function and its trigger.
Without `--schemas` the output is what it always was.

The file loads with `psql -v ON_ERROR_STOP=1 -f FILE` into an empty database. It is
cut into transactions of 100 tables so the lock table never fills up.

Standard library only (Python 3.9+).
"""

import argparse
import hashlib
import random
import sys

# Bump whenever the output changes: bench.sh stores it (with a hash of the SQL) on the
# databases it loads, to know when they must be loaded again.
GENERATOR_VERSION = 2

SCHEMAS = ["app", "billing", "crm", "ops"]

NOUNS = [
    "account", "invoice", "order", "customer", "product", "shipment", "payment",
    "ticket", "project", "task", "message", "device", "session", "report", "contract",
    "supplier", "warehouse", "employee", "campaign", "subscription", "refund", "lead",
    "asset", "booking", "coupon", "review", "address", "event", "document", "budget",
]

ENUM_LABELS = [
    ["draft", "active", "suspended", "archived"],
    ["low", "medium", "high", "critical"],
    ["pending", "processing", "shipped", "delivered", "returned"],
    ["new", "open", "blocked", "done"],
    ["bronze", "silver", "gold", "platinum"],
]

# Column kinds a table draws from, with how often.
KIND_WEIGHTS = [
    ("text", 12), ("varchar", 12), ("integer", 10), ("bigint", 6), ("numeric", 9),
    ("boolean", 8), ("timestamptz", 9), ("date", 6), ("jsonb", 6), ("uuid", 5),
    ("text[]", 4),
]

ATTR_WORDS = [
    "name", "title", "code", "label", "note", "email", "phone", "city", "country",
    "amount", "price", "total", "quantity", "score", "rank", "weight", "ratio",
    "active", "verified", "archived", "starts", "ends", "due", "paid", "payload",
    "settings", "meta", "tags", "external", "token", "source", "channel", "region",
]


def q(s):
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


class Column:
    def __init__(self, name, type_, kind, not_null=False, default=None, identity=False):
        self.name = name
        self.type = type_
        self.kind = kind
        self.not_null = not_null
        self.default = default
        self.identity = identity
        # Uses that forbid dropping (or retyping) the column.
        self.pinned = False      # PK, FK, view, trigger, check, index: never dropped
        self.fk = False          # part of a foreign key: never retyped

    def sql(self):
        s = f"{self.name} {self.type}"
        if self.identity:
            s += " GENERATED ALWAYS AS IDENTITY"
        if self.not_null and not self.identity:
            s += " NOT NULL"
        if self.default is not None:
            s += f" DEFAULT {self.default}"
        return s


class Table:
    def __init__(self, schema, name, index_no, group):
        self.schema = schema
        self.name = name
        self.no = index_no
        self.group = group
        self.columns = []
        self.constraints = []   # [name, sql]
        self.indexes = []       # [name, sql of "ON ... (...)" part, unique]
        self.comment = None
        self.referenced = False  # target of some FK
        self.in_view = False

    @property
    def qname(self):
        return f"{self.schema}.{self.name}"

    def col(self, name):
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def create_sql(self):
        parts = [c.sql() for c in self.columns]
        parts.append(f"CONSTRAINT {self.name}_pkey PRIMARY KEY (id)")
        parts += [f"CONSTRAINT {n} {s}" for n, s in self.constraints]
        body = ",\n    ".join(parts)
        out = [f"CREATE TABLE {self.qname} (\n    {body}\n);"]
        for name, spec, unique in self.indexes:
            u = "UNIQUE " if unique else ""
            out.append(f"CREATE {u}INDEX {name} ON {self.qname} {spec};")
        if self.comment is not None:
            out.append(f"COMMENT ON TABLE {self.qname} IS {q(self.comment)};")
        return "\n".join(out)


class Group:
    """What every ten tables share: an enum, a view, a trigger function, a trigger."""

    def __init__(self, no, schema, start=None, size=10):
        self.no = no
        self.schema = schema
        # The tables of the group: [start, start + size) (ten by ten by default).
        self.start = no * 10 if start is None else start
        self.size = size
        self.enum_name = f"{schema}.status_g{no:04d}"
        self.enum_labels = []
        self.view_name = f"{schema}.v_g{no:04d}"
        self.view_sql = None
        self.func_name = f"{schema}.touch_g{no:04d}"
        self.func_body = None
        self.trigger_table = None
        self.trigger_name = f"trg_touch_g{no:04d}"
        self.trigger_events = "UPDATE"


class Schema:
    def __init__(self):
        self.tables = []
        self.groups = []
        self.dropped = set()   # qnames of tables the changed copy drops

    def objects(self):
        """Every object the changes are drawn from, by kind: (kind, [refs])."""
        checks = [(t, c) for t in self.tables for c in t.constraints if c[1].startswith("CHECK")]
        return [
            ("table", list(self.tables)),
            ("index", [(t, i) for t in self.tables for i in t.indexes]),
            ("check", checks),
            ("enum", list(self.groups)),
            ("view", [g for g in self.groups if g.view_sql is not None]),
            ("function", [g for g in self.groups if g.func_body is not None]),
            ("trigger", [g for g in self.groups if g.trigger_table is not None]),
        ]


def pick_kind(rng):
    total = sum(w for _, w in KIND_WEIGHTS)
    r = rng.uniform(0, total)
    for k, w in KIND_WEIGHTS:
        r -= w
        if r <= 0:
            return k
    return KIND_WEIGHTS[-1][0]


def make_column(rng, t, kind, used, prefix=""):
    """A column of a kind, with a name unique in the table, and maybe a default,
    NOT NULL, a check and indexes."""
    word = prefix + rng.choice(ATTR_WORDS)
    name = word
    n = 2
    while name in used:
        name = f"{word}_{n}"
        n += 1
    used.add(name)
    c = Column(name, kind, kind)
    if kind == "varchar":
        size = rng.choice([32, 64, 100, 128, 255])
        c.type = f"varchar({size})"
        if rng.random() < 0.3:
            c.not_null = True
            c.default = "''"
        if rng.random() < 0.25:
            t.indexes.append([f"{t.name}_{name}_lower_idx", f"USING btree (lower({name}))", False])
            c.pinned = True
    elif kind == "text":
        if rng.random() < 0.2:
            t.constraints.append([f"{t.name}_{name}_len_check",
                                  f"CHECK (char_length({name}) <= {rng.choice([200, 500, 2000])})"])
            c.pinned = True
        if rng.random() < 0.15:
            t.indexes.append([f"{t.name}_{name}_lower_idx", f"USING btree (lower({name}))", False])
            c.pinned = True
    elif kind == "integer":
        if rng.random() < 0.4:
            c.not_null = True
            c.default = str(rng.choice([0, 1, 10]))
        if rng.random() < 0.3:
            t.constraints.append([f"{t.name}_{name}_check", f"CHECK ({name} >= 0)"])
            c.pinned = True
    elif kind == "bigint":
        if rng.random() < 0.3:
            c.default = "0"
    elif kind == "numeric":
        p = rng.choice([10, 12, 14, 18])
        s = rng.choice([2, 2, 4])
        c.type = f"numeric({p},{s})"
        if rng.random() < 0.5:
            c.not_null = True
            c.default = "0"
        if rng.random() < 0.35:
            t.constraints.append([f"{t.name}_{name}_check", f"CHECK ({name} >= 0::numeric)"])
            c.pinned = True
    elif kind == "boolean":
        c.not_null = rng.random() < 0.7
        c.default = rng.choice(["false", "true"]) if c.not_null else None
    elif kind == "timestamptz":
        if rng.random() < 0.3:
            t.indexes.append([f"{t.name}_{name}_idx", f"USING btree ({name})", False])
            c.pinned = True
    elif kind == "date":
        if rng.random() < 0.2:
            c.default = "CURRENT_DATE"
    elif kind == "jsonb":
        c.not_null = rng.random() < 0.5
        c.default = "'{}'::jsonb" if c.not_null else None
        if rng.random() < 0.6:
            ops = rng.choice(["", " jsonb_path_ops"])
            t.indexes.append([f"{t.name}_{name}_gin", f"USING gin ({name}{ops})", False])
            c.pinned = True
    elif kind == "uuid":
        if rng.random() < 0.5:
            c.not_null = True
            c.default = "gen_random_uuid()"
            if rng.random() < 0.5:
                t.constraints.append([f"{t.name}_{name}_key", f"UNIQUE ({name})"])
                c.pinned = True
    elif kind == "text[]":
        c.not_null = rng.random() < 0.5
        c.default = "'{}'::text[]" if c.not_null else None
        if rng.random() < 0.4:
            t.indexes.append([f"{t.name}_{name}_gin", f"USING gin ({name})", False])
            c.pinned = True
    return c


def generate(n, seed, schemas=None):
    """The schema of n tables; `schemas`: cut into that many schemas of n/schemas tables
    (one group each, foreign keys within the schema) instead of four schemas."""
    rng = random.Random(seed)
    sch = Schema()
    if schemas is None:
        for g in range((n + 9) // 10):
            sch.groups.append(Group(g, SCHEMAS[g % len(SCHEMAS)]))
    else:
        per, rest = divmod(n, schemas)
        start = 0
        for g in range(schemas):
            size = per + (1 if g < rest else 0)
            sch.groups.append(Group(g, f"s{g:04d}", start, size))
            start += size
    for grp in sch.groups:
        grp.enum_labels = list(rng.choice(ENUM_LABELS))
    group_of = [grp for grp in sch.groups for _ in range(grp.size)]
    for i in range(n):
        grp = group_of[i]
        # Position in the group, and whether foreign keys may point at earlier tables
        # (by default any earlier table; with --schemas only those of the same schema).
        pos = i - grp.start
        first = i == 0 if schemas is None else pos == 0
        noun = rng.choice(NOUNS)
        # Tables of a group share its schema, so views and triggers stay local.
        t = Table(grp.schema, f"t{i:05d}_{noun}", i, grp)
        used = {"id", "created_at"}
        t.columns.append(Column("id", "bigint", "bigint", not_null=True, identity=True))
        t.columns[0].pinned = True
        t.columns[0].fk = True
        # Foreign keys to earlier tables: the second table of every group always has one
        # (the view joins along it), others often do.
        n_fk = 0
        if not first:
            if pos == 1:
                n_fk = 1
            else:
                n_fk = rng.choice([0, 0, 1, 1, 2])
        targets = set()
        for _ in range(n_fk):
            if pos == 1 and not targets:
                j = i - 1
            else:
                lo = max(0 if schemas is None else grp.start, i - 400)
                j = rng.randrange(lo, i)
            if j in targets:
                continue
            targets.add(j)
            target = sch.tables[j]
            target.referenced = True
            cname = f"{target.name.split('_', 1)[1]}_{j:05d}_id"
            used.add(cname)
            c = Column(cname, "bigint", "bigint", not_null=rng.random() < 0.6)
            c.pinned = True
            c.fk = True
            t.columns.append(c)
            action = rng.choice(["", " ON DELETE CASCADE", " ON DELETE SET NULL" if not c.not_null else " ON DELETE RESTRICT"])
            t.constraints.append([f"{t.name}_{cname}_fkey",
                                  f"FOREIGN KEY ({cname}) REFERENCES {target.qname} (id){action}"])
            t.indexes.append([f"{t.name}_{cname}_idx", f"USING btree ({cname})", False])
        # The enum of the group: on the first table, and sometimes on others.
        if pos == 0 or rng.random() < 0.15:
            c = Column("status", grp.enum_name, "enum", not_null=True, default=f"{q(grp.enum_labels[0])}::{grp.enum_name}")
            used.add("status")
            t.columns.append(c)
            if rng.random() < 0.5:
                t.indexes.append([f"{t.name}_status_partial_idx",
                                  f"USING btree (created_at) WHERE (status = {q(grp.enum_labels[1])}::{grp.enum_name})", False])
                c.pinned = True
        total = rng.randint(8, 15)
        # created_at (and updated_at, deleted_at below) count towards the total.
        has_updated = pos == 2 or rng.random() < 0.5
        soft_delete = rng.random() < 0.25
        fixed = 1 + (1 if has_updated else 0) + (1 if soft_delete else 0)
        for _ in range(total - len(t.columns) - fixed):
            t.columns.append(make_column(rng, t, pick_kind(rng), used))
        c = Column("created_at", "timestamptz", "timestamptz", not_null=True, default="now()")
        c.pinned = True  # partial indexes and views use it
        t.columns.append(c)
        if has_updated:
            c = Column("updated_at", "timestamptz", "timestamptz", not_null=True, default="now()")
            c.pinned = True
            t.columns.append(c)
            used.add("updated_at")
        if soft_delete:
            c = Column("deleted_at", "timestamptz", "timestamptz")
            c.pinned = True
            t.columns.append(c)
            used.add("deleted_at")
            t.indexes.append([f"{t.name}_live_idx", "USING btree (created_at) WHERE (deleted_at IS NULL)", False])
        if rng.random() < 0.2:
            t.comment = f"{noun.capitalize()} records, partition {i % 7}."
        sch.tables.append(t)

    # Per group: a view joining its second table to the table that table references,
    # a trigger function and a trigger on its third table (which has updated_at).
    for grp in sch.groups:
        members = sch.tables[grp.start:grp.start + grp.size]
        if len(members) >= 2 and members[1].no > 0:
            a = members[1]
            fk_col = next(c for c in a.columns if c.fk and c.name != "id")
            b = sch.tables[int(fk_col.name.rsplit("_", 2)[-2])]
            a_col = pick_view_col(rng, a)
            b_col = pick_view_col(rng, b)
            a.in_view = b.in_view = True
            grp.view_cols = (a, b, fk_col.name, a_col, b_col)
            grp.view_sql = view_sql(grp, extra=False, filtered=False)
        trig = members[2] if len(members) >= 3 else None
        if trig is not None and any(c.name == "updated_at" for c in trig.columns):
            grp.trigger_table = trig
            grp.func_body = (
                "BEGIN\n"
                "    NEW.updated_at := now();\n"
                "    RETURN NEW;\n"
                "END"
            )
    return sch


def pick_view_col(rng, t):
    cands = [c for c in t.columns if c.kind in ("text", "varchar", "numeric", "integer", "date")]
    if not cands:
        cands = [t.col("created_at")]
    c = rng.choice(cands)
    c.pinned = True
    return c.name


def view_sql(grp, extra, filtered):
    a, b, fk, a_col, b_col = grp.view_cols
    cols = [f"a.id", f"a.{a_col}", f"b.id AS {b.name.split('_', 1)[1]}_id", f"b.{b_col} AS {b.name.split('_', 1)[1]}_{b_col}"]
    if extra:
        # A view column of its own name: a_col may be created_at already.
        cols.append("a.created_at" if a_col != "created_at" else "a.created_at AS created_at_2")
    where = "\n  WHERE a.created_at > '2020-01-01 00:00:00+00'::timestamptz" if filtered else ""
    return (f"SELECT {', '.join(cols)}\n"
            f"  FROM {a.qname} a\n"
            f"  JOIN {b.qname} b ON b.id = a.{fk}{where}")


def mutate(sch, seed, fraction=0.02):
    """Changes about `fraction` of the objects in place; returns counts by what changed."""
    rng = random.Random(seed * 7919 + 1)
    # Drawn kind by kind, so the many indexes do not crowd out everything else.
    picks = []
    n_objects = 0
    for kind, refs in sch.objects():
        n_objects += len(refs)
        if refs:
            k = max(1, round(fraction * len(refs)))
            picks += [(kind, refs[i]) for i in sorted(rng.sample(range(len(refs)), k))]
    counts = {}

    def count(what):
        counts[what] = counts.get(what, 0) + 1

    for kind, ref in picks:
        if kind == "table":
            mutate_table(rng, sch, ref, count)
        elif kind == "check":
            t, con = ref
            if ">= 0" in con[1]:
                con[1] = con[1].replace(">= 0", "> 0")
            else:
                con[1] = con[1].replace("<= ", "<= 10 * ")
            count("check changed")
        elif kind == "index":
            t, idx = ref
            if idx not in t.indexes:
                continue
            if rng.random() < 0.5:
                t.indexes.remove(idx)
                count("index dropped")
            else:
                # Same name, another definition: a partial index becomes full, a full
                # one partial.
                if " WHERE " in idx[1]:
                    idx[1] = idx[1].split(" WHERE ")[0]
                else:
                    idx[1] = idx[1] + " WHERE (created_at > '2021-01-01 00:00:00+00'::timestamptz)"
                count("index redefined")
        elif kind == "enum":
            ref.enum_labels.insert(rng.randrange(1, len(ref.enum_labels) + 1), "on_hold")
            count("enum value added")
        elif kind == "view":
            if rng.random() < 0.5:
                ref.view_sql = view_sql(ref, extra=True, filtered=False)
                count("view column added")
            else:
                ref.view_sql = view_sql(ref, extra=False, filtered=True)
                count("view filter changed")
        elif kind == "function":
            ref.func_body = (
                "BEGIN\n"
                "    IF NEW IS DISTINCT FROM OLD THEN\n"
                "        NEW.updated_at := clock_timestamp();\n"
                "    END IF;\n"
                "    RETURN NEW;\n"
                "END"
            )
            count("function body changed")
        elif kind == "trigger":
            ref.trigger_events = "INSERT OR UPDATE"
            count("trigger changed")

    # A few tables created and dropped (one per thousand, at least one).
    extra = max(1, len(sch.tables) // 1000)
    leaves = [t for t in sch.tables if not t.referenced and not t.in_view
              and not (t.group.trigger_table is t)]
    for t in rng.sample(leaves, min(extra, len(leaves))):
        sch.dropped.add(t.qname)
        count("table dropped")
    base = len(sch.tables)
    for e in range(extra):
        grp = sch.groups[rng.randrange(len(sch.groups))]
        t = Table(grp.schema, f"t{base + e:05d}_added", base + e, grp)
        t.columns.append(Column("id", "bigint", "bigint", not_null=True, identity=True))
        used = {"id"}
        for _ in range(rng.randint(6, 12)):
            t.columns.append(make_column(rng, t, pick_kind(rng), used))
        t.columns.append(Column("created_at", "timestamptz", "timestamptz", not_null=True, default="now()"))
        sch.tables.append(t)
        count("table created")
    counts["_objects"] = n_objects
    return counts


def mutate_table(rng, sch, t, count):
    plain = [c for c in t.columns if not c.pinned and not c.identity]
    retypable = [c for c in t.columns if not c.fk and (c.kind in ("integer", "varchar", "numeric"))]
    with_default = [c for c in t.columns if c.default is not None and not c.identity and c.kind in ("integer", "numeric", "boolean", "varchar", "bigint")]
    choices = ["add column", "add index"]
    if plain:
        choices += ["drop column", "not null"]
    if retypable:
        choices.append("type")
    if with_default:
        choices.append("default")
    what = rng.choice(choices)
    if what == "add column":
        used = {c.name for c in t.columns}
        c = make_column(rng, t, pick_kind(rng), used, prefix="added_")
        t.columns.append(c)
        count("column added")
    elif what == "add index":
        c = rng.choice([c for c in t.columns if not c.identity and c.kind not in ("jsonb", "text[]")])
        t.indexes.append([f"{t.name}_{c.name}_added_idx", f"USING btree ({c.name}, created_at)", False])
        count("index added")
    elif what == "drop column":
        t.columns.remove(rng.choice(plain))
        count("column dropped")
    elif what == "not null":
        c = rng.choice(plain)
        c.not_null = not c.not_null
        count("not null changed")
    elif what == "type":
        c = rng.choice(retypable)
        if c.kind == "integer":
            c.type = "bigint"
        elif c.kind == "varchar":
            size = int(c.type[8:-1])
            c.type = f"varchar({size + 100})"
        else:
            p, s = c.type[8:-1].split(",")
            c.type = f"numeric({int(p) + 4},{s})"
        count("column type changed")
    elif what == "default":
        c = rng.choice(with_default)
        if c.kind == "boolean":
            c.default = "true" if c.default == "false" else "false"
        else:
            c.default = {"integer": "42", "bigint": "42", "numeric": "1",
                         "varchar": "'n/a'::character varying"}[c.kind]
        count("default changed")


def render(sch, n, seed, variant, counts=None, schemas=None):
    out = []
    in_schemas = "" if schemas is None else f" in {schemas} schemas"
    out.append(f"-- schemaplan benchmark schema: {n} tables{in_schemas}, variant {variant}, "
               f"seed {seed}, generator v{GENERATOR_VERSION}")
    if counts:
        changed = sum(v for k, v in counts.items() if not k.startswith("_"))
        out.append(f"-- changed objects: {changed} of {counts['_objects']} "
                   f"({100.0 * changed / counts['_objects']:.1f}%)")
        for k in sorted(counts):
            if not k.startswith("_"):
                out.append(f"--   {k}: {counts[k]}")
    out.append("SET client_min_messages = warning;")
    out.append("SET synchronous_commit = off;")
    out.append("SET check_function_bodies = off;")
    out.append("")
    out.append("BEGIN;")
    for s in (SCHEMAS if schemas is None else [g.schema for g in sch.groups]):
        out.append(f"CREATE SCHEMA {s};")
    for g in sch.groups:
        labels = ", ".join(q(x) for x in g.enum_labels)
        out.append(f"CREATE TYPE {g.enum_name} AS ENUM ({labels});")
    for g in sch.groups:
        if g.func_body is not None:
            out.append(f"CREATE FUNCTION {g.func_name}() RETURNS trigger\n"
                       f"    LANGUAGE plpgsql\n"
                       f"    AS $fn$\n{g.func_body}\n$fn$;")
    out.append("COMMIT;")
    live = [t for t in sch.tables if t.qname not in sch.dropped]
    for k, t in enumerate(live):
        if k % 100 == 0:
            if k:
                out.append("COMMIT;")
            out.append("")
            out.append("BEGIN;")
        out.append(t.create_sql())
    out.append("COMMIT;")
    out.append("")
    out.append("BEGIN;")
    for g in sch.groups:
        if g.view_sql is not None:
            out.append(f"CREATE VIEW {g.view_name} AS\n{g.view_sql};")
        if g.trigger_table is not None:
            out.append(f"CREATE TRIGGER {g.trigger_name} BEFORE {g.trigger_events} ON {g.trigger_table.qname}\n"
                       f"    FOR EACH ROW EXECUTE FUNCTION {g.func_name}();")
    out.append("COMMIT;")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tables", type=int, help="number of tables")
    ap.add_argument("--variant", choices=["a", "b"], default="a",
                    help="a: the base schema; b: a copy with about 2%% of objects changed")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--schemas", type=int, metavar="K",
                    help="cut the tables into K schemas of N/K tables (FKs within a schema; "
                         "one enum, view, function and trigger per schema)")
    ap.add_argument("-o", "--output", help="file to write (default: stdout)")
    ap.add_argument("--stats", action="store_true", help="print object counts to stderr")
    ap.add_argument("--version", action="store_true", help="print the generator version and exit")
    args = ap.parse_args()
    if args.version:
        print(GENERATOR_VERSION)
        return
    if args.tables < 3:
        ap.error("at least 3 tables")
    if args.schemas is not None and not 1 <= args.schemas <= args.tables // 3:
        ap.error("--schemas: between 1 and N/3 (at least 3 tables a schema)")
    sch = generate(args.tables, args.seed, args.schemas)
    counts = mutate(sch, args.seed) if args.variant == "b" else None
    sql = render(sch, args.tables, args.seed, args.variant, counts, args.schemas)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(sql)
    else:
        sys.stdout.write(sql)
    if args.stats:
        n_idx = sum(len(t.indexes) for t in sch.tables)
        n_col = sum(len(t.columns) for t in sch.tables)
        n_con = sum(len(t.constraints) for t in sch.tables)
        print(f"gen_schema: variant {args.variant}: {len(sch.tables) - len(sch.dropped)} tables, "
              f"{n_col} columns, {n_idx} indexes, {n_con} constraints, "
              f"{len(sch.groups)} enums/views/functions/triggers; "
              f"sha256 {hashlib.sha256(sql.encode()).hexdigest()[:16]}", file=sys.stderr)
        if counts:
            print("gen_schema: changes: " + ", ".join(
                f"{k} {v}" for k, v in sorted(counts.items()) if not k.startswith("_")), file=sys.stderr)


if __name__ == "__main__":
    main()
