//! `OperationOutcome`: how every problem in Tessera is reported.
//!
//! An [`Issue`] carries a severity, an issue type from the R4 `IssueType`
//! code system, a human message and, where the problem is inside a resource,
//! the FHIRPath location of the offending element (`Patient.birthDate`,
//! `Observation.component[1].code`). [`OperationOutcome`] renders a list of
//! issues as the R4 resource.

use serde_json::{Map, Value, json};

/// `OperationOutcome.issue.severity` (required binding `issue-severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Information,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Fatal => "fatal",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
        }
    }
}

/// `OperationOutcome.issue.code` (required binding `issue-type`). Only the
/// codes Tessera reports are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueType {
    Invalid,
    Structure,
    Required,
    Value,
    Invariant,
    Security,
    Login,
    Forbidden,
    Processing,
    NotSupported,
    Duplicate,
    NotFound,
    Deleted,
    TooLong,
    CodeInvalid,
    Conflict,
    Exception,
    Timeout,
    TooCostly,
    Informational,
}

impl IssueType {
    pub fn code(self) -> &'static str {
        match self {
            IssueType::Invalid => "invalid",
            IssueType::Structure => "structure",
            IssueType::Required => "required",
            IssueType::Value => "value",
            IssueType::Invariant => "invariant",
            IssueType::Security => "security",
            IssueType::Login => "login",
            IssueType::Forbidden => "forbidden",
            IssueType::Processing => "processing",
            IssueType::NotSupported => "not-supported",
            IssueType::Duplicate => "duplicate",
            IssueType::NotFound => "not-found",
            IssueType::Deleted => "deleted",
            IssueType::TooLong => "too-long",
            IssueType::CodeInvalid => "code-invalid",
            IssueType::Conflict => "conflict",
            IssueType::Exception => "exception",
            IssueType::Timeout => "timeout",
            IssueType::TooCostly => "too-costly",
            IssueType::Informational => "informational",
        }
    }
}

/// One problem (or note) about a request or a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub severity: Severity,
    pub code: IssueType,
    /// Human-readable explanation (`issue.diagnostics`).
    pub message: String,
    /// FHIRPath location of the problem inside the resource, if any
    /// (`issue.expression`), e.g. `Observation.component[1].code`.
    pub path: Option<String>,
    /// Stable Tessera error code, e.g. `TSR-1001`, if any (`issue.details.coding`).
    pub tessera_code: Option<&'static str>,
}

impl Issue {
    pub fn error(code: IssueType, message: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Error,
            code,
            message: message.into(),
            path: None,
            tessera_code: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>) -> Issue {
        self.path = Some(path.into());
        self
    }

    pub fn with_tessera_code(mut self, code: &'static str) -> Issue {
        self.tessera_code = Some(code);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Issue {
        self.severity = severity;
        self
    }
}

/// The code system Tessera's stable error codes are published under.
pub const TESSERA_ERROR_SYSTEM: &str = "urn:tessera:error-code";

/// An `OperationOutcome` resource under construction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationOutcome {
    pub issues: Vec<Issue>,
}

impl OperationOutcome {
    pub fn new(issues: Vec<Issue>) -> OperationOutcome {
        OperationOutcome { issues }
    }

    pub fn single(issue: Issue) -> OperationOutcome {
        OperationOutcome {
            issues: vec![issue],
        }
    }

    /// An outcome that reports success (used for `Prefer: return=OperationOutcome`
    /// and a successful `$validate`).
    pub fn success(message: impl Into<String>) -> OperationOutcome {
        OperationOutcome::single(
            Issue::error(IssueType::Informational, message).with_severity(Severity::Information),
        )
    }

    pub fn to_json(&self) -> Value {
        let issues: Vec<Value> = self
            .issues
            .iter()
            .map(|issue| {
                let mut out = Map::new();
                out.insert("severity".into(), json!(issue.severity.code()));
                out.insert("code".into(), json!(issue.code.code()));
                if let Some(code) = issue.tessera_code {
                    out.insert(
                        "details".into(),
                        json!({"coding": [{"system": TESSERA_ERROR_SYSTEM, "code": code}]}),
                    );
                }
                out.insert("diagnostics".into(), json!(issue.message));
                if let Some(path) = &issue.path {
                    out.insert("expression".into(), json!([path]));
                }
                Value::Object(out)
            })
            .collect();
        json!({"resourceType": "OperationOutcome", "issue": issues})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_issue_with_location_and_code() {
        let outcome = OperationOutcome::single(
            Issue::error(IssueType::Value, "bad date")
                .at("Patient.birthDate")
                .with_tessera_code("TSR-1000"),
        );
        let json = outcome.to_json();
        assert_eq!(json["issue"][0]["expression"][0], "Patient.birthDate");
        assert_eq!(json["issue"][0]["code"], "value");
        assert_eq!(json["issue"][0]["details"]["coding"][0]["code"], "TSR-1000");
    }
}
