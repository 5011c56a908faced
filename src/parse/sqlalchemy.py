"""Compiles a project's SQLAlchemy models to PostgreSQL DDL, for schemaplan.

Run by schemaplan with the project's interpreter:

    python -c <this file> TARGET ROOT VERSION

TARGET is `package.module:Name` (a declarative base, a registry or a MetaData) or
`package.module` (every MetaData the module holds, directly or through a declarative
base); ROOT is put first on sys.path; VERSION is the PostgreSQL major version to compile
for (a generated column without `persisted` is VIRTUAL from 18, STORED before). Nothing connects to a database: the metadata's
`create_all` runs on a mock engine for the PostgreSQL dialect, so the statements are
exactly what SQLAlchemy itself would send (enum types, sequences, tables, indexes,
comments, and `DDL` attached to the metadata's events), in its order.

Output on stdout: the statements, each ending with `;`, each preceded by a line
`-- schemaplan-source: FILE:LINE` naming the model class (or `Table(...)` call) it comes
from, and by the rename and conversion hints the model's `info` carries, written as the
comments schema files use (`-- schemaplan: rename public.users.name -> full_name`).

Exit codes: 0 done; 3 the models could not be imported or found (stderr: FILE:LINE:
what); 4 SQLAlchemy is missing or too old (stderr: what to install).
"""

import importlib
import inspect
import os
import re
import sys
import traceback
import warnings


def fail(code, message):
    sys.stderr.write(message.rstrip() + "\n")
    sys.exit(code)


def relative(path, root):
    """A path as the user knows it: relative to the project when inside it."""
    try:
        rel = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def import_error(error, root):
    """FILE:LINE: Type: message, at the frame of the traceback nearest the error that is
    the project's own code (else the last one)."""
    if isinstance(error, SyntaxError) and error.filename:
        where = "%s:%s" % (relative(error.filename, root), error.lineno or 1)
        return "%s: SyntaxError: %s" % (where, error.msg)
    frames = traceback.extract_tb(error.__traceback__)
    own = [f for f in frames if os.path.abspath(f.filename).startswith(root + os.sep)]
    frame = (own or frames or [None])[-1]
    where = "%s:%s" % (relative(frame.filename, root), frame.lineno) if frame else "?"
    return "%s: %s: %s" % (where, type(error).__name__, error)


def resolve(target, root):
    module_name, _, attribute = target.partition(":")
    try:
        value = importlib.import_module(module_name)
        for part in attribute.split(".") if attribute else []:
            value = getattr(value, part)
    except Exception as error:  # an import runs the project's code: anything can fail
        fail(3, "importing %s: %s" % (target, import_error(error, root)))
    return value


def metadatas(value, target, sqlalchemy):
    """The MetaData objects `value` names, in a stable order, each once."""
    MetaData = sqlalchemy.MetaData
    found = []

    def add(m):
        if isinstance(m, MetaData) and all(m is not f for f in found):
            found.append(m)

    if isinstance(value, MetaData):
        add(value)
    elif inspect.ismodule(value):
        for name in sorted(vars(value)):
            item = getattr(value, name)
            if isinstance(item, MetaData):
                add(item)
            elif inspect.isclass(item) and isinstance(getattr(item, "metadata", None), MetaData):
                add(item.metadata)
    else:
        add(getattr(value, "metadata", None))
    if not found:
        fail(3, "%s is not a MetaData, a declarative base or a module holding one" % target)
    return found


class Places:
    """Where each table is declared: its model class, or the `Table(...)` call."""

    def __init__(self, root):
        self.root = root
        self.classes = {}
        self.texts = None
        try:
            from sqlalchemy.orm import mapperlib

            for registry in list(mapperlib._mapper_registries):
                for mapper in registry.mappers:
                    table = getattr(mapper, "local_table", None)
                    if table is not None:
                        self.classes.setdefault(id(table), mapper.class_)
        except Exception:
            pass

    def project_sources(self):
        """(file, text) of every imported module inside the project, by file name."""
        if self.texts is None:
            self.texts = []
            files = set()
            for module in list(sys.modules.values()):
                f = getattr(module, "__file__", None)
                if f and f.endswith(".py") and os.path.abspath(f).startswith(self.root + os.sep):
                    files.add(os.path.abspath(f))
            for f in sorted(files):
                try:
                    with open(f, encoding="utf-8") as handle:
                        self.texts.append((f, handle.read()))
                except OSError:
                    pass
        return self.texts

    def of_table(self, table):
        cls = self.classes.get(id(table))
        if cls is not None:
            try:
                return inspect.getsourcefile(cls), inspect.getsourcelines(cls)[1]
            except (OSError, TypeError):
                pass
        call = re.compile(r"Table\(\s*[\"']%s[\"']" % re.escape(table.name))
        for f, text in self.project_sources():
            m = call.search(text)
            if m:
                return f, text.count("\n", 0, m.start()) + 1
        return None

    def of(self, element):
        """Where a DDL element's object is declared."""
        table = getattr(element, "table", None)
        if table is None and hasattr(element, "columns") and hasattr(element, "schema"):
            table = element  # a Table
        if table is not None and hasattr(table, "name"):
            return self.of_table(table)
        return None

    def of_text(self, sql):
        """Where a `DDL("...")` is written: the first line of its text, found in the
        project's modules."""
        first = sql.strip().splitlines()[0].strip() if sql.strip() else ""
        for f, text in self.project_sources() if first else []:
            at = text.find(first)
            if at >= 0:
                return f, text.count("\n", 0, at) + 1
        return None

    def label(self, place):
        if place is None:
            return None
        f, line = place
        return "%s:%d" % (relative(os.path.abspath(f), self.root), line)


def quote(name):
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"%s"' % name.replace('"', '""')


def hints(table):
    """The `info={"schemaplan": {...}}` of a table and its columns, as hint comments."""
    schema = quote(table.schema or "public")
    out = []
    own = (table.info or {}).get("schemaplan") or {}
    if own.get("renamed_from"):
        out.append("-- schemaplan: rename table %s.%s -> %s" % (schema, quote(own["renamed_from"]), quote(table.name)))
    for column in table.columns:
        mine = (column.info or {}).get("schemaplan") or {}
        if mine.get("renamed_from"):
            out.append(
                "-- schemaplan: rename column %s.%s.%s -> %s"
                % (schema, quote(table.name), quote(mine["renamed_from"]), quote(column.name))
            )
        if mine.get("using"):
            out.append(
                "-- schemaplan: using %s.%s.%s: %s" % (schema, quote(table.name), quote(column.name), mine["using"])
            )
    return out


def type_places(metadata, places):
    """Where each named enum type and sequence is first used: the table of the first
    column using it."""
    found = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            name = getattr(column.type, "name", None)
            if name and getattr(column.type, "enums", None) is not None:
                found.setdefault(("enum", name), places.of_table(table))
            default = column.default
            if isinstance(default, __import__("sqlalchemy").Sequence):
                found.setdefault(("sequence", default.name), places.of_table(table))
    return found


def show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write("%s: %s\n" % (category.__name__, message))


def main():
    warnings.showwarning = show_warning
    if len(sys.argv) != 4:
        fail(3, "usage: sqlalchemy.py TARGET ROOT VERSION")
    target, root = sys.argv[1], os.path.abspath(sys.argv[2])
    server = int(sys.argv[3])
    sys.path.insert(0, root)
    try:
        import sqlalchemy
    except ImportError:
        fail(4, "SQLAlchemy is not installed for %s" % sys.executable)
    version = tuple(int(p) for p in re.findall(r"\d+", sqlalchemy.__version__)[:2])
    if version < (1, 4):
        fail(4, "SQLAlchemy %s is too old for %s (1.4 or newer is needed)" % (sqlalchemy.__version__, sys.executable))
    value = resolve(target, root)
    places = Places(root)
    engine_statements = []

    def executor(statement, *multiparams, **params):
        engine_statements.append(statement)

    engine = sqlalchemy.create_mock_engine("postgresql://", executor)
    # As a connection to that server would set it up: a generated column without
    # `persisted` is VIRTUAL from 18, STORED before.
    engine.dialect.server_version_info = (server, 0)
    if hasattr(engine.dialect, "supports_virtual_generated_columns"):
        engine.dialect.supports_virtual_generated_columns = server >= 18
    out = []
    for metadata in metadatas(value, target, sqlalchemy):
        engine_statements.clear()
        try:
            metadata.create_all(engine, checkfirst=False)
        except Exception as error:
            fail(3, "compiling %s: %s" % (target, import_error(error, root)))
        used = type_places(metadata, places)
        for statement in engine_statements:
            element = getattr(statement, "element", None)
            place = places.of(element)
            if place is None:
                kind = "sequence" if isinstance(element, sqlalchemy.Sequence) else "enum"
                place = used.get((kind, getattr(element, "name", None)))
            if place is None and isinstance(getattr(statement, "statement", None), str):
                place = places.of_text(statement.statement)
            label = places.label(place) or target
            sql = str(statement.compile(dialect=engine.dialect)).strip()
            if not sql:
                continue
            out.append("-- schemaplan-source: %s" % label)
            if type(statement).__name__ == "CreateTable":
                out.extend(hints(element))
            out.append(sql.rstrip(";") + ";")
            out.append("")
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write("\n".join(out))


main()
