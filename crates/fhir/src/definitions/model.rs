//! The in-memory shape of the definitions: a flat table of types, each owning its elements and
//! a map from JSON property name to (element, type variant).

use std::collections::{HashMap, HashSet};

/// Index of a type in [`super::Definitions`]'s type table.
pub(crate) type TypeId = u32;

/// A FHIR primitive datatype, each with its own lexical rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Primitive {
    Boolean,
    Integer,
    PositiveInt,
    UnsignedInt,
    Decimal,
    String,
    Markdown,
    Code,
    Id,
    Uri,
    Url,
    Canonical,
    Oid,
    Uuid,
    Date,
    DateTime,
    Instant,
    Time,
    Base64Binary,
    Xhtml,
}

impl Primitive {
    pub(crate) fn from_name(name: &str) -> Option<Primitive> {
        Some(match name {
            "boolean" => Primitive::Boolean,
            "integer" => Primitive::Integer,
            "positiveInt" => Primitive::PositiveInt,
            "unsignedInt" => Primitive::UnsignedInt,
            "decimal" => Primitive::Decimal,
            "string" => Primitive::String,
            "markdown" => Primitive::Markdown,
            "code" => Primitive::Code,
            "id" => Primitive::Id,
            "uri" => Primitive::Uri,
            "url" => Primitive::Url,
            "canonical" => Primitive::Canonical,
            "oid" => Primitive::Oid,
            "uuid" => Primitive::Uuid,
            "date" => Primitive::Date,
            "dateTime" => Primitive::DateTime,
            "instant" => Primitive::Instant,
            "time" => Primitive::Time,
            "base64Binary" => Primitive::Base64Binary,
            "xhtml" => Primitive::Xhtml,
            _ => return None,
        })
    }
}

/// What a type is, which decides how a JSON value of it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeKind {
    /// A JSON primitive; its `_name` sibling is checked against the type's `id`/`extension`.
    Primitive(Primitive),
    /// A datatype such as `HumanName`.
    Complex,
    /// A concrete resource type.
    Resource,
    /// An inline element with children (`Patient.contact`), named by its path.
    Backbone,
    /// `Resource`: any resource, checked as the type its `resourceType` names.
    AnyResource,
}

/// Datatypes that get checks beyond their elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    Reference,
    Extension,
    Coding,
    CodeableConcept,
}

#[derive(Debug)]
pub(crate) struct TypeDef {
    /// `Patient`, `HumanName`, `string`, or the path of a backbone element (`Patient.contact`).
    pub(crate) name: Box<str>,
    pub(crate) kind: TypeKind,
    /// The type this one specializes: `DomainResource`, `Element`, `string`, `Quantity`, or
    /// `BackboneElement`/`Element` for a backbone element.
    pub(crate) base: Option<Box<str>>,
    pub(crate) special: Option<Special>,
    pub(crate) elements: Vec<ElementDef>,
    /// JSON property name -> (index in `elements`, index in that element's `types`).
    pub(crate) by_json_name: HashMap<Box<str>, (u16, u16)>,
    /// Indexes of elements with `min >= 1`.
    pub(crate) required: Vec<u16>,
}

impl TypeDef {
    pub(crate) fn lookup(&self, json_name: &str) -> Option<(&ElementDef, &ElementType)> {
        let &(element, variant) = self.by_json_name.get(json_name)?;
        let element = self.elements.get(element as usize)?;
        Some((element, element.types.get(variant as usize)?))
    }
}

#[derive(Debug)]
pub(crate) struct ElementDef {
    /// The name as defined: `name`, or `value[x]` for a choice.
    pub(crate) name: Box<str>,
    /// Full definition path, e.g. `Observation.component.code`.
    pub(crate) path: Box<str>,
    pub(crate) min: u32,
    /// `None` for `*`.
    pub(crate) max: Option<u32>,
    pub(crate) is_choice: bool,
    pub(crate) is_summary: bool,
    /// `Element.id` and `Extension.url`: XML attributes, plain JSON properties without `_name`.
    pub(crate) is_attribute: bool,
    pub(crate) types: Vec<ElementType>,
    /// Index of the expanded required value set, when it could be expanded.
    pub(crate) binding: Option<u32>,
}

impl ElementDef {
    pub(crate) fn is_repeating(&self) -> bool {
        self.max != Some(1)
    }
}

#[derive(Debug)]
pub(crate) struct ElementType {
    pub(crate) type_id: TypeId,
    /// The JSON property: the element name, or `valueQuantity` for a choice variant.
    pub(crate) json_name: Box<str>,
    /// `_` + `json_name`, where a primitive's id/extensions live.
    pub(crate) extension_json_name: Box<str>,
    /// Allowed target resource types of a Reference; `None` means any.
    pub(crate) targets: Option<Vec<Box<str>>>,
}

/// The expansion of one required value set.
#[derive(Debug)]
pub(crate) struct ValueSetDef {
    pub(crate) url: Box<str>,
    pub(crate) systems: HashMap<Box<str>, HashSet<Box<str>>>,
    /// Every code of every system, for `code` elements, which carry no system.
    pub(crate) all_codes: HashSet<Box<str>>,
}
