//! Test support shared by the integration tests: a `TypeModel` read from the type
//! table in `testdata/fhirpath/r4-types.tsv` (derived from FHIR R4 4.0.1, CC0, by
//! `testdata/fhirpath/gen_type_table.py`), and paths to the test data.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tessera_fhirpath::{ElementTypes, TypeModel};

pub fn testdata_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/fhirpath")
}

/// R4 type knowledge for the resource types the official suite's inputs use.
pub struct TableModel {
    bases: HashMap<String, String>,
    types: HashSet<String>,
    elements: HashMap<(String, String), (Vec<String>, bool)>,
}

impl TableModel {
    pub fn load() -> TableModel {
        TableModel::load_from(&testdata_dir().join("r4-types.tsv"))
    }

    pub fn load_from(path: &std::path::Path) -> TableModel {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let mut model = TableModel {
            bases: HashMap::new(),
            types: HashSet::new(),
            elements: HashMap::new(),
        };
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["T", name, base, _kind] => {
                    model.types.insert(name.to_string());
                    if *base != "-" && base != name {
                        model.bases.insert(name.to_string(), base.to_string());
                    }
                }
                ["E", owner, element, types, choice] => {
                    model.elements.insert(
                        (owner.to_string(), element.to_string()),
                        (
                            types.split(',').map(str::to_string).collect(),
                            *choice == "1",
                        ),
                    );
                }
                _ => panic!("bad line in r4-types.tsv: {line}"),
            }
        }
        model
    }
}

impl TypeModel for TableModel {
    fn element_types(&self, owner: &str, element: &str) -> Option<ElementTypes<'_>> {
        let mut current = owner.to_string();
        for _ in 0..16 {
            if let Some((types, is_choice)) =
                self.elements.get(&(current.clone(), element.to_string()))
            {
                return Some(ElementTypes {
                    types: types.iter().map(String::as_str).collect(),
                    is_choice: *is_choice,
                });
            }
            current = self.bases.get(&current)?.clone();
        }
        None
    }

    fn base_type(&self, type_name: &str) -> Option<&str> {
        self.bases.get(type_name).map(String::as_str)
    }

    fn has_type(&self, type_name: &str) -> bool {
        self.types.contains(type_name)
    }
}
