//! `TypeModel`: the FHIR knowledge the engine needs, supplied by the caller.
//!
//! The engine knows FHIRPath's System types itself; everything about FHIR's types
//! (which element of which type has which type, choice elements, the type hierarchy)
//! comes through this trait so the engine stays independent of any one FHIR release.
//! `tessera-fhir` implements it from the R4 definitions. Without a model
//! ([`NoModel`]) the engine still navigates JSON, infers choice elements from their
//! suffixes (`valueQuantity` for `value`) and types primitives from their JSON form.

/// The declared type(s) of one element.
#[derive(Clone, Copy, Debug)]
pub struct ElementTypes<'m> {
    /// Type names as the model spells them: `HumanName`, `string`, or a backbone
    /// element's path (`Patient.contact`). Several for a choice element.
    pub types: &'m [String],
    /// True for a choice element (`value[x]`), whose JSON key carries the type suffix.
    pub is_choice: bool,
}

/// FHIR type knowledge: element types, choice elements and the type hierarchy.
pub trait TypeModel {
    /// The declared type(s) of `element` on type `owner` (a type name or a backbone
    /// element path); `None` when `owner` has no such element or is unknown.
    fn element_types(&self, owner: &str, element: &str) -> Option<ElementTypes<'_>>;

    /// The direct base of `type_name` (`Age` -> `Quantity`, `code` -> `string`,
    /// `Patient` -> `DomainResource`, `Patient.contact` -> `BackboneElement`);
    /// `None` for a root type or an unknown one.
    fn base_type(&self, type_name: &str) -> Option<&str>;

    /// Whether `type_name` is a type of the model (in the FHIR namespace).
    fn has_type(&self, type_name: &str) -> bool;
}

/// No FHIR knowledge: navigation and typing come from the JSON alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoModel;

impl TypeModel for NoModel {
    fn element_types(&self, _owner: &str, _element: &str) -> Option<ElementTypes<'_>> {
        None
    }

    fn base_type(&self, _type_name: &str) -> Option<&str> {
        None
    }

    fn has_type(&self, _type_name: &str) -> bool {
        false
    }
}

/// Whether `type_name` is `ancestor` or derives from it. The walk is bounded so a
/// model with a cycle cannot hang the engine.
pub fn is_subtype_of(model: &dyn TypeModel, type_name: &str, ancestor: &str) -> bool {
    let mut current = type_name;
    for _ in 0..32 {
        if current == ancestor {
            return true;
        }
        match model.base_type(current) {
            Some(base) => current = base,
            None => return false,
        }
    }
    false
}

/// FHIR primitive types are spelled with a lower-case first letter.
pub fn is_primitive_type_name(type_name: &str) -> bool {
    type_name.starts_with(|c: char| c.is_ascii_lowercase())
}
