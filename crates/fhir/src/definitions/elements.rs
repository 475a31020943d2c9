//! Type knowledge for code outside this crate:
//!
//! - [`Definitions::element`]: an element by dotted path, with its cardinality and types (for
//!   example, to decide how a search parameter's values are stored: a `Reference` path indexes
//!   as a reference, a `date` path as a date range);
//! - [`Definitions::element_types`], [`Definitions::base_type`], [`Definitions::has_type`]:
//!   exactly the three questions `tessera_fhirpath::TypeModel` asks, so a FHIRPath model over
//!   the R4 definitions is a three-line adapter wherever that dependency edge lives.

use super::{Definitions, TypeKind};

/// What the definitions say about one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementInfo<'a> {
    /// The definition path, e.g. `Observation.value[x]` or `Observation.component.code`.
    pub path: &'a str,
    pub min: u32,
    /// `None` for `*`.
    pub max: Option<u32>,
    /// Type codes: a datatype or primitive name, `BackboneElement` for an inline element with
    /// children, `Resource` for any resource. A choice element lists every allowed type,
    /// unless the path named one variant (`Observation.valueQuantity`).
    pub types: Vec<&'a str>,
    /// Allowed target resource types of a Reference type; empty when any type is allowed or
    /// the element is not a Reference.
    pub reference_targets: Vec<&'a str>,
    pub is_summary: bool,
}

/// The declared types of one element, as FHIRPath's type model wants them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredTypes<'a> {
    /// Type names: `HumanName`, `string`, `Resource`, or a backbone element's path
    /// (`Patient.contact`; a contentReference names the element it points to, so
    /// `Questionnaire.item.item` is `Questionnaire.item`). Several for a choice element.
    pub types: Vec<&'a str>,
    /// True for a choice element (`value[x]`), whose JSON key carries the type suffix.
    pub is_choice: bool,
}

impl Definitions {
    /// The declared types of `element` (its name without `[x]`) on `owner` (a type name or a
    /// backbone element path); `None` when there is no such element.
    pub fn element_types(&self, owner: &str, element: &str) -> Option<DeclaredTypes<'_>> {
        let definition = self.type_def(*self.type_ids.get(owner)?);
        let found = definition.elements.iter().find(|e| {
            if e.is_choice {
                e.name.strip_suffix("[x]") == Some(element)
            } else {
                &*e.name == element
            }
        })?;
        Some(DeclaredTypes {
            types: found
                .types
                .iter()
                .map(|t| &*self.type_def(t.type_id).name)
                .collect(),
            is_choice: found.is_choice,
        })
    }

    /// The direct base of `type_name`: `Patient` -> `DomainResource`, `code` -> `string`,
    /// `Age` -> `Quantity`, `Patient.contact` -> `BackboneElement`, `DomainResource` ->
    /// `Resource`; `None` for a root (`Resource`, `Element`) or an unknown type.
    pub fn base_type(&self, type_name: &str) -> Option<&str> {
        if let Some(base) = self.abstract_types.get(type_name) {
            return base.as_deref();
        }
        self.type_def(*self.type_ids.get(type_name)?)
            .base
            .as_deref()
    }

    /// Whether `type_name` is an R4 type: a resource type, a datatype, or one of the abstract
    /// bases (`Resource`, `DomainResource`, `Element`, `BackboneElement`). Backbone element
    /// paths are not types of the FHIR namespace.
    pub fn has_type(&self, type_name: &str) -> bool {
        self.abstract_types.contains_key(type_name)
            || self
                .type_ids
                .get(type_name)
                .is_some_and(|&id| self.type_def(id).kind != TypeKind::Backbone)
    }

    /// The element at `path`: `Patient.birthDate`, `Observation.component.code`,
    /// `Observation.value` or `Observation.value[x]` (the choice), `Observation.valueQuantity`
    /// (one variant), through datatypes too (`Observation.subject.reference`,
    /// `Observation.valueQuantity.value`). `None` when there is no such element.
    pub fn element(&self, path: &str) -> Option<ElementInfo<'_>> {
        let mut segments = path.split('.');
        let mut type_id = *self.type_ids.get(segments.next()?)?;
        let mut segments = segments.peekable();
        segments.peek()?;
        while let Some(segment) = segments.next() {
            let definition = self.type_def(type_id);
            let (element, variant) = match definition.by_json_name.get(segment) {
                Some(&(element, variant)) => {
                    let element = &definition.elements[element as usize];
                    (
                        element,
                        (!element.is_choice || segment != &*element.name).then_some(variant),
                    )
                }
                None => {
                    let base = segment.trim_end_matches("[x]");
                    let element = definition
                        .elements
                        .iter()
                        .find(|e| e.is_choice && e.name.trim_end_matches("[x]") == base)?;
                    (element, None)
                }
            };
            let chosen: Vec<_> = match variant {
                Some(index) => vec![element.types.get(index as usize)?],
                None => element.types.iter().collect(),
            };
            if segments.peek().is_none() {
                let type_name = |id| {
                    let t = self.type_def(id);
                    match t.kind {
                        TypeKind::Backbone => "BackboneElement",
                        _ => &*t.name,
                    }
                };
                return Some(ElementInfo {
                    path: &element.path,
                    min: element.min,
                    max: element.max,
                    types: chosen.iter().map(|t| type_name(t.type_id)).collect(),
                    reference_targets: chosen
                        .iter()
                        .flat_map(|t| t.targets.iter().flatten().map(|target| &**target))
                        .collect(),
                    is_summary: element.is_summary,
                });
            }
            // Going deeper needs one type: a non-choice element, or a named variant.
            let [only] = chosen.as_slice() else {
                return None;
            };
            type_id = only.type_id;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_by_dotted_path() {
        let definitions = Definitions::r4();
        let birth_date = definitions.element("Patient.birthDate").unwrap();
        assert_eq!(birth_date.types, vec!["date"]);
        assert_eq!((birth_date.min, birth_date.max), (0, Some(1)));
        assert!(birth_date.is_summary);

        let subject = definitions.element("Observation.subject").unwrap();
        assert_eq!(subject.types, vec!["Reference"]);
        assert_eq!(
            subject.reference_targets,
            vec!["Patient", "Group", "Device", "Location"]
        );

        let component = definitions.element("Observation.component").unwrap();
        assert_eq!(
            (component.types.clone(), component.max),
            (vec!["BackboneElement"], None)
        );
        assert_eq!(
            definitions
                .element("Observation.component.code")
                .unwrap()
                .types,
            vec!["CodeableConcept"]
        );
        assert_eq!(
            definitions.element("Bundle.entry.resource").unwrap().types,
            vec!["Resource"]
        );
    }

    #[test]
    fn resolves_choices_and_follows_datatypes() {
        let definitions = Definitions::r4();
        let value = definitions.element("Observation.value").unwrap();
        assert_eq!(value.path, "Observation.value[x]");
        assert_eq!(value.types.len(), 11);
        assert_eq!(definitions.element("Observation.value[x]").unwrap(), value);
        assert_eq!(
            definitions
                .element("Observation.valueQuantity")
                .unwrap()
                .types,
            vec!["Quantity"]
        );
        assert_eq!(
            definitions
                .element("Observation.valueQuantity.value")
                .unwrap()
                .types,
            vec!["decimal"]
        );
        assert_eq!(
            definitions
                .element("Observation.subject.reference")
                .unwrap()
                .types,
            vec!["string"]
        );
        assert_eq!(
            definitions
                .element("Questionnaire.item.item.linkId")
                .unwrap()
                .path,
            "Questionnaire.item.linkId"
        );
    }

    #[test]
    fn answers_the_fhirpath_type_model_questions() {
        let definitions = Definitions::r4();
        let value = definitions.element_types("Observation", "value").unwrap();
        assert!(value.is_choice);
        assert_eq!(value.types[..3], ["Quantity", "CodeableConcept", "string"]);
        let contact = definitions.element_types("Patient", "contact").unwrap();
        assert_eq!(
            (contact.types, contact.is_choice),
            (vec!["Patient.contact"], false)
        );
        assert_eq!(
            definitions
                .element_types("Patient.contact", "name")
                .unwrap()
                .types,
            vec!["HumanName"]
        );
        assert_eq!(
            definitions
                .element_types("Questionnaire.item", "item")
                .unwrap()
                .types,
            vec!["Questionnaire.item"]
        );
        assert_eq!(definitions.element_types("Patient", "value"), None);
        assert_eq!(definitions.element_types("Nope", "id"), None);

        for (name, base) in [
            ("Patient", Some("DomainResource")),
            ("Bundle", Some("Resource")),
            ("DomainResource", Some("Resource")),
            ("Resource", None),
            ("code", Some("string")),
            ("positiveInt", Some("integer")),
            ("Age", Some("Quantity")),
            ("Timing", Some("BackboneElement")),
            ("HumanName", Some("Element")),
            ("BackboneElement", Some("Element")),
            ("Element", None),
            ("Patient.contact", Some("BackboneElement")),
            ("Timing.repeat", Some("Element")),
            ("Nope", None),
        ] {
            assert_eq!(definitions.base_type(name), base, "{name}");
        }
        for name in [
            "Patient",
            "HumanName",
            "string",
            "Resource",
            "DomainResource",
            "BackboneElement",
        ] {
            assert!(definitions.has_type(name), "{name}");
        }
        for name in ["Patient.contact", "Nope", "patient"] {
            assert!(!definitions.has_type(name), "{name}");
        }
    }

    #[test]
    fn unknown_paths_are_none() {
        let definitions = Definitions::r4();
        for path in [
            "",
            "Patient",
            "Patient.nope",
            "Nope.id",
            "Observation.value.value",
            "Patient.name.nope",
        ] {
            assert_eq!(definitions.element(path), None, "{path}");
        }
    }
}
