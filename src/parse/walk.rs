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

/// The node types whose contents give references: structs by their Rust name, plus
/// the `TypeCast` variant of the node enum (its literal argument is what matters).
const INTERESTING: &[&str] = &[
    "AExpr",
    "CollateClause",
    "CommonTableExpr",
    "FuncCall",
    "ObjectWithArgs",
    "RangeVar",
    "TypeCast",
    "TypeName",
];

/// Walks `value`, calling `found` with the JSON form of every interesting node: for a
/// struct its fields, for the `TypeCast` variant the one-key object `{"TypeCast": ..}`
/// (the shape the node enum has in JSON). Nodes inside an interesting node are part of
/// its JSON form and are not reported again.
pub(crate) fn walk<T: Serialize + ?Sized>(value: &T, found: &mut dyn FnMut(Value)) {
    // Serializing plain protobuf structs cannot fail (no maps with non-string keys, no
    // custom serializers); an Err would only lose references, never panic.
    let _ = value.serialize(Walker { found });
}

fn interesting(name: &str) -> bool {
    INTERESTING.contains(&name)
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

    fn serialize_bool(self, _: bool) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Never> {
        Ok(())
    }
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
        if interesting(variant) {
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
        Ok(if interesting(name) {
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

impl ser::SerializeSeq for Elements<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        value.serialize(self.0.reborrow())
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTuple for Elements<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        value.serialize(self.0.reborrow())
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for Elements<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        value.serialize(self.0.reborrow())
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for Elements<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Never> {
        value.serialize(self.0.reborrow())
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

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

impl ser::SerializeStruct for Fields<'_> {
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

impl ser::SerializeStructVariant for Fields<'_> {
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
