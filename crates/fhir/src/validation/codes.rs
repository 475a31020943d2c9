//! The stable Tessera codes of validation problems, one per rule kind. A user can search for
//! a code; never reuse or renumber one.
//!
//! Every rule is an error except TSR-1017 (a reference's type is not one the element allows),
//! which is a warning: the official R4 examples of core types Tessera must accept break it
//! (`Observation-clinical-gender` has a performer `Encounter/example`, `MedicationRequest-medrx0301`
//! a dispense performer `Practitioner/f204`), and the type in a reference string is only the
//! writer's claim about a resource the validator cannot see.

use crate::{IssueType, Severity};

/// A validation rule kind: its stable code and the `IssueType` it is reported with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub issue_type: IssueType,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! rules {
    ($($name:ident = $code:literal, $issue_type:ident, $severity:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $name: Rule = Rule {
                code: $code,
                issue_type: IssueType::$issue_type,
                severity: Severity::$severity,
                summary: $summary,
            };
        )*
        /// Every rule, for documentation and the uniqueness test.
        pub const ALL: &[Rule] = &[$($name),*];
    };
}

rules! {
    NOT_AN_OBJECT = "TSR-1001", Structure, Error, "a resource must be a JSON object";
    MISSING_RESOURCE_TYPE = "TSR-1002", Required, Error, "a resource must have a resourceType";
    UNKNOWN_RESOURCE_TYPE = "TSR-1003", Invalid, Error, "resourceType is not an R4 resource type";
    UNKNOWN_ELEMENT = "TSR-1004", Structure, Error, "element is not defined for this type";
    TOO_MANY = "TSR-1005", Structure, Error, "more repetitions than the maximum cardinality (an array where at most one is allowed)";
    NOT_AN_ARRAY = "TSR-1006", Structure, Error, "a repeating element must be a JSON array";
    MISSING_REQUIRED = "TSR-1007", Required, Error, "a mandatory element (min >= 1) is missing";
    WRONG_JSON_TYPE = "TSR-1008", Structure, Error, "the JSON type does not match the element's datatype";
    BAD_PRIMITIVE = "TSR-1009", Value, Error, "the value does not match the primitive datatype's format";
    EMPTY = "TSR-1010", Structure, Error, "empty strings, objects and arrays are not allowed";
    BAD_PRIMITIVE_EXTENSION = "TSR-1011", Structure, Error, "a `_name` sibling must be an id/extension object (arrays aligned with their values)";
    MISPLACED_NULL = "TSR-1012", Structure, Error, "null is only allowed inside arrays, aligned with a `_name` entry";
    MULTIPLE_CHOICES = "TSR-1013", Structure, Error, "more than one variant of a choice element `[x]`";
    NESTED_CONTAINED = "TSR-1014", Structure, Error, "a contained resource must not contain resources";
    EXTENSION_VALUE_AND_CHILDREN = "TSR-1015", Invalid, Error, "an extension must have either a value or extensions, not both (ext-1)";
    BAD_REFERENCE = "TSR-1016", Value, Error, "Reference.reference is not a valid reference";
    WRONG_REFERENCE_TARGET = "TSR-1017", Invalid, Warning, "the reference points to a resource type the element does not allow";
    UNRESOLVED_CONTAINED_REFERENCE = "TSR-1018", Invalid, Error, "a #id reference does not match a contained resource";
    CODE_NOT_IN_VALUE_SET = "TSR-1019", CodeInvalid, Error, "the code is not in the element's required value set";
    TOO_DEEP = "TSR-1020", Structure, Error, "the resource nests deeper than the validator's limit";
    TOO_FEW = "TSR-1021", Required, Error, "fewer repetitions than the minimum cardinality";
    UNREFERENCED_CONTAINED = "TSR-1022", Invalid, Error, "a contained resource is not referenced from the resource and does not refer to it (dom-3)";
    CONTAINED_META = "TSR-1023", Invalid, Error, "a contained resource has meta.versionId, meta.lastUpdated or meta.security (dom-4, dom-5)";
    ATTRIBUTE_EXTENSION = "TSR-1024", Structure, Error, "Element.id and Extension.url are plain JSON properties and take no _name extensions";
    CHOICE_TYPE_NOT_ALLOWED = "TSR-1025", Structure, Error, "a choice element `[x]` with a type it does not allow (valueHumanName)";
    UNSAFE_NARRATIVE = "TSR-1026", Value, Error, "the narrative holds elements, attributes or URLs outside basic HTML formatting (txt-1)";
    BUNDLE_RULE = "TSR-1027", Invalid, Error, "a Bundle invariant (bdl-1 to bdl-12) is broken: request/response/search per type, unique fullUrl, document and message heads";
    TOO_MANY_ISSUES = "TSR-1028", TooCostly, Error, "so many problems that validation stopped reporting them";
    INVALID_JSON = "TSR-1029", Structure, Error, "the request body is not valid JSON";
    DUPLICATE_PROPERTY = "TSR-1030", Structure, Error, "a JSON object has the same property name twice";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.code), "duplicate code {}", rule.code);
            assert!(
                rule.code.len() == 8 && rule.code.starts_with("TSR-1"),
                "{}",
                rule.code
            );
        }
        assert_eq!(seen.len(), ALL.len());
    }
}
