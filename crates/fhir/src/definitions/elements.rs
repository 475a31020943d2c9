//! Looking up an element definition by its dotted path, for code outside this crate that needs
//! an element's cardinality and types (for example, to decide how a search parameter's values
//! are stored: a `Reference` path indexes as a reference, a `date` path as a date range).

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

impl Definitions {
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
