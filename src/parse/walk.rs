//! A serde [`Serializer`] that walks a pg_query protobuf tree without building it.
//!
//! [`super::refs::Refs`] finds references by looking at a handful of node types
//! (`RangeVar`, `TypeName`, `FuncCall`, ...). Turning the whole tree into a
//! `serde_json::Value` to find them allocated a map for every node and was most of the
//! time spent reading a large schema. This serializer visits the same tree, through the
//! same `Serialize` implementations (so every node type is reached, including ones later
//! PostgreSQL versions add), and materialises only the nodes [`INTERESTING`] names,
//! handing each to a callback as a JSON object.
//!
//! Input: any `Serialize` value of the pg_query crate. Output: callbacks. Does no I/O.

use serde::ser::{self, Serialize};
use serde_json::{Map, Value};

/// The node types whose contents give references, by their Rust name.
const INTERESTING: &[&str] = &[
    "AExpr",
    "CollateClause",
    "CommonTableExpr",
    "Constraint",
    "FuncCall",
    "ObjectWithArgs",
    "RangeVar",
    "TypeName",
];

/// The node enum's variant whose literal argument matters (`'t'::regclass`): reported
/// with the variant, as `{"TypeCast": ..}`.
const TYPE_CAST: &str = "TypeCast";

/// Walks `value`, calling `found` with the JSON form of every interesting node: for a
/// struct its fields, for the `TypeCast` variant the one-key object `{"TypeCast": ..}`
/// (the shape the node enum has in JSON). Nodes inside an interesting node are part of
/// its JSON form and are not reported again.
pub(crate) fn walk<T: Serialize + ?Sized>(value: &T, found: &mut dyn FnMut(Value)) {
    // Serializing plain protobuf structs cannot fail (no maps with non-string keys, no
    // custom serializers); an Err would only lose references, never panic.
    let _ = value.serialize(Walker { found });
}

/// The error type serde requires; walking itself never fails.
#[derive(Debug)]
struct Never(String);

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Never(msg.to_string())
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<Value, Never> {
    serde_json::to_value(value).map_err(|e| Never(e.to_string()))
}

struct Walker<'f> {
    found: &'f mut dyn FnMut(Value),
}

impl Walker<'_> {
    fn reborrow(&mut self) -> Walker<'_> {
        Walker { found: self.found }
    }
}

/// Walks the elements of a sequence, tuple or map.
struct Elements<'f>(Walker<'f>);

/// Walks a struct's fields, or collects them when the struct is interesting.
enum Fields<'f> {
    Walk(Walker<'f>),
    Collect(Walker<'f>, Map<String, Value>),
}

/// Scalars hold no references: the walker passes over them.
macro_rules! skip_scalars {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, _: $ty) -> Result<(), Never> {
            Ok(())
        }
    )*};
}

impl<'f> ser::Serializer for Walker<'f> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Elements<'f>;
    type SerializeTuple = Elements<'f>;
    type SerializeTupleStruct = Elements<'f>;
    type SerializeTupleVariant = Elements<'f>;
    type SerializeMap = Elements<'f>;
    type SerializeStruct = Fields<'f>;
    type SerializeStructVariant = Fields<'f>;

    skip_scalars!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f32: f32,
        serialize_f64: f64,
        serialize_char: char,
        serialize_str: &str,
        serialize_bytes: &[u8]
    );
    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Never> {
        if variant == TYPE_CAST {
            let mut map = Map::new();
            map.insert(variant.to_string(), json(value)?);
            (self.found)(Value::Object(map));
            Ok(())
        } else {
            value.serialize(self)
        }
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Elements<'f>, Never> {
        Ok(Elements(self))
    }
    fn serialize_tuple(self, _: usize) -> Result<Elements<'f>, Never> {
        Ok(Elements(self))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Elements<'f>, Never> {
        Ok(Elements(self))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Elements<'f>, Never> {
        Ok(Elements(self))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Elements<'f>, Never> {
        Ok(Elements(self))
    }
    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Fields<'f>, Never> {
        Ok(if INTERESTING.contains(&name) {
            Fields::Collect(self, Map::new())
        } else {
            Fields::Walk(self)
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Fields<'f>, Never> {
        self.serialize_struct(variant, 0)
    }
}

/// The four element-by-element forms differ only in their trait and method name.
macro_rules! walk_elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Elements<'_> {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
                value.serialize(self.0.reborrow())
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        }
    )*};
}

walk_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Elements<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, _: &T) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        value.serialize(self.0.reborrow())
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl Fields<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Never> {
        match self {
            Fields::Walk(w) => value.serialize(w.reborrow()),
            Fields::Collect(_, map) => {
                map.insert(key.to_string(), json(value)?);
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<(), Never> {
        if let Fields::Collect(w, map) = self {
            (w.found)(Value::Object(map));
        }
        Ok(())
    }
}

/// Structs and struct variants: fields walked, or collected when interesting.
macro_rules! walk_fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Fields<'_> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Never> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Never> {
                self.finish()
            }
        }
    )*};
}

walk_fields!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;

    fn found(sql: &str) -> Vec<Value> {
        let tree = pg_query::parse(sql, 0).unwrap();
        let mut out = Vec::new();
        walk(&tree.protobuf.stmts, &mut |v| out.push(v));
        out
    }

    #[test]
    fn reports_interesting_nodes_in_their_json_shape() {
        let nodes = found("SELECT 'public.t'::regclass FROM s.t JOIN u USING (id)");
        let relations: Vec<&str> = nodes
            .iter()
            .filter_map(|v| v.get("relname").and_then(Value::as_str))
            .collect();
        assert_eq!(relations, ["t", "u"], "{nodes:?}");
        assert!(nodes[0].get("TypeCast").is_some(), "{:?}", nodes[0]);
        assert_eq!(nodes.len(), 3, "{nodes:?}");
        // The cast's TypeName is inside the TypeCast's JSON, not reported again.
        assert!(!nodes.iter().any(|v| v.get("pct_type").is_some()));
    }
}
