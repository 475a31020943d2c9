//! Type tests (`is`, `as`, `ofType`) and `type()`, across the System and FHIR
//! namespaces.
//!
//! An unqualified name is looked up in FHIR first, then System (`Quantity` matches
//! both a FHIR Quantity element and a System Quantity value). `is` accepts subtypes
//! (`code` is a `string`, `Age` is a `Quantity`); `as` and `ofType` on FHIR primitives
//! want the exact type, which is what the official suite expects
//! (`Patient.gender.as(string)` is empty, `.as(code)` is not).

use super::Evaluator;
use super::navigate::is_primitive_node;
use crate::ast::{Expr, TypeSpecifier};
use crate::error::Error;
use crate::model::is_subtype_of;
use crate::value::Value;

const SYSTEM_TYPES: [&str; 9] = [
    "Boolean", "Integer", "Decimal", "String", "Date", "DateTime", "Time", "Quantity", "Any",
];

/// A resolved type name.
pub(crate) struct TypeTest {
    namespace: Option<String>,
    name: String,
}

/// What `type()` returns for an item.
pub(crate) fn type_info<'a>(item: &Value<'a>) -> Value<'a> {
    let (namespace, name) = match item {
        Value::Node(node) => match node.type_name() {
            // Backbone elements are typed by their path in the model.
            Some(t) if t.contains('.') => ("FHIR", "BackboneElement".to_string()),
            Some(t) => ("FHIR", t.to_string()),
            None => match node.system_value() {
                Some(value) => ("System", value.system_type_name().unwrap_or("Any").into()),
                None => ("FHIR", "Element".to_string()),
            },
        },
        other => (
            "System",
            other.system_type_name().unwrap_or("Any").to_string(),
        ),
    };
    Value::TypeInfo {
        namespace: namespace.to_string(),
        name,
    }
}

impl<'a> Evaluator<'_, 'a> {
    /// Resolves a written type specifier; an unknown name is an error when a model is
    /// present (without one we cannot tell, so we let the test simply fail to match).
    pub(crate) fn type_test(&self, spec: &TypeSpecifier) -> Result<TypeTest, Error> {
        let model = self.ctx.model;
        // A model that knows no `Element` is no model: nothing to validate against.
        let model_present = model.has_type("Element");
        let known = match spec.namespace.as_deref() {
            // `System.Patient` is a valid question with the answer "no".
            Some("System") => true,
            Some("FHIR") => !model_present || model.has_type(&spec.name),
            Some(_) => false,
            None => {
                SYSTEM_TYPES.contains(&spec.name.as_str())
                    || !model_present
                    || model.has_type(&spec.name)
            }
        };
        if !known {
            return Err(Error::UnknownType(match &spec.namespace {
                Some(ns) => format!("{ns}.{}", spec.name),
                None => spec.name.clone(),
            }));
        }
        Ok(TypeTest {
            namespace: spec.namespace.clone(),
            name: spec.name.clone(),
        })
    }

    /// Reads a type argument of `is()`, `as()` or `ofType()`.
    pub(crate) fn type_argument(&self, arg: &Expr) -> Result<TypeTest, Error> {
        let spec = match arg {
            Expr::Identifier(name) => TypeSpecifier {
                namespace: None,
                name: name.clone(),
            },
            Expr::Member(target, name) => match target.as_ref() {
                Expr::Identifier(namespace) => TypeSpecifier {
                    namespace: Some(namespace.clone()),
                    name: name.clone(),
                },
                _ => return Err(Error::type_error("expected a type name")),
            },
            _ => return Err(Error::type_error("expected a type name")),
        };
        self.type_test(&spec)
    }

    /// Whether `item` is of the tested type; `exact` refuses FHIR primitive subtypes.
    pub(crate) fn is_type(&self, item: &Value<'a>, test: &TypeTest, exact: bool) -> bool {
        let namespace = test.namespace.as_deref();
        match item {
            Value::Node(node) => {
                if namespace == Some("System") {
                    return false;
                }
                match node.type_name() {
                    Some(type_name) => {
                        if type_name == test.name {
                            return true;
                        }
                        if exact && is_primitive_node(node) {
                            return false;
                        }
                        is_subtype_of(self.ctx.model, type_name, &test.name)
                    }
                    // Untyped JSON: compare with the System type its value has.
                    None => node
                        .system_value()
                        .and_then(|v| v.system_type_name())
                        .is_some_and(|t| t.eq_ignore_ascii_case(&test.name)),
                }
            }
            other => {
                if namespace == Some("FHIR") {
                    return false;
                }
                other.system_type_name() == Some(test.name.as_str()) || test.name == "Any"
            }
        }
    }
}
