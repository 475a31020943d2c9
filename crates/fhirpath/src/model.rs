//! `TypeModel`: the FHIR knowledge the engine needs, supplied by the caller.
//!
//! The engine knows FHIRPath's System types itself; everything about FHIR's types
//! (which element of which type has which type, choice elements, the type hierarchy)
//! comes through this trait so the engine stays independent of any one FHIR release.
//! `tessera-fhir` implements it from the R4 definitions. Without a model
//! ([`NoModel`]) the engine still navigates JSON, infers choice elements from their
//! suffixes (`valueQuantity` for `value`) and types primitives from their JSON form.

/// The declared type(s) of one element. A `Vec` of borrowed names so a model can
/// build it from whatever it stores (names, ids into a type table) without keeping
/// a list of `String`s per element.
#[derive(Clone, Debug)]
pub struct ElementTypes<'m> {
    /// Type names as the model spells them: `HumanName`, `string`, or a backbone
    /// element's path (`Patient.contact`). Several for a choice element.
    pub types: Vec<&'m str>,
    /// True for a choice element (`value[x]`), whose JSON key carries the type suffix.
    pub is_choice: bool,
}

/// FHIR type knowledge: element types, choice elements and the type hierarchy.
///
/// A model answers three questions; everything else (choice-suffix resolution in
/// JSON, `_name` primitive extensions, resource types from `resourceType`) the
/// engine does itself. A minimal implementation:
///
/// ```
/// use tessera_fhirpath::{ElementTypes, EvaluationContext, Expression, TypeModel, Value};
///
/// struct Tiny;
/// impl TypeModel for Tiny {
///     fn element_types(&self, owner: &str, element: &str) -> Option<ElementTypes<'_>> {
///         match (owner, element) {
///             ("Observation", "value") => Some(ElementTypes {
///                 types: vec!["Quantity", "string"],
///                 is_choice: true,
///             }),
///             ("Quantity", "value") => Some(ElementTypes { types: vec!["decimal"], is_choice: false }),
///             _ => None,
///         }
///     }
///     fn base_type(&self, type_name: &str) -> Option<&str> {
///         match type_name {
///             "Observation" => Some("DomainResource"),
///             "DomainResource" => Some("Resource"),
///             "Quantity" => Some("Element"),
///             _ => None,
///         }
///     }
///     fn has_type(&self, type_name: &str) -> bool {
///         ["Observation", "DomainResource", "Resource", "Quantity", "Element", "decimal", "string"]
///             .contains(&type_name)
///     }
/// }
///
/// let observation = serde_json::json!({"resourceType": "Observation", "valueQuantity": {"value": 3}});
/// let ctx = EvaluationContext::new().with_model(&Tiny).with_resource(&observation);
/// let result = Expression::parse("Observation.value.value.type().name").unwrap().evaluate(&ctx).unwrap();
/// assert_eq!(result[0].to_display_string().as_deref(), Some("decimal"));
/// ```
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
