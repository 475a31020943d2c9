//! One operation applied to a resource: select with FHIRPath, locate, change.

use super::slots::{self, Slot};
use super::value::{PatchValue, Target};
use super::{Failure, Kind};
use serde_json::{Map, Value as Json};
use tessera_fhir::Definitions;
use tessera_fhirpath::{EvaluationContext, Expression, Location, Locator, Step};

pub(super) fn operation(
    resource: &mut Json,
    definitions: &Definitions,
    path: &Expression,
    kind: &Kind,
) -> Result<(), Failure> {
    let found = select(resource, definitions, path)?;
    let describe = |found: &[Location]| {
        let root = resource_type(resource);
        found
            .iter()
            .map(|l| l.describe(root))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let one = |verb: &str| match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Failure::processing(format!(
            "the path '{}' matches no element to {verb}",
            path.text()
        ))),
        many => Err(Failure::processing(format!(
            "the path '{}' matches {} elements ({}); {verb} needs exactly one",
            path.text(),
            many.len(),
            describe(many)
        ))),
    };
    match kind {
        Kind::Add { name, value } => add(resource, definitions, one("add to")?, name, value),
        Kind::Replace { value } => replace(resource, definitions, one("replace")?, value),
        // R4: "Path of the element to delete (if found)".
        Kind::Delete if found.is_empty() => Ok(()),
        Kind::Delete => delete(resource, one("delete")?),
        Kind::Insert { value, index } => {
            let (parent, name) = list(&found, path, &describe(&found))?;
            insert(resource, definitions, &parent, &name, *index, value)
        }
        Kind::Move {
            source,
            destination,
        } => {
            let (parent, name) = list(&found, path, &describe(&found))?;
            move_item(resource, &parent, &name, *source, *destination)
        }
    }
}

/// The locations of what `path` selects in `resource`.
fn select(
    resource: &Json,
    definitions: &Definitions,
    path: &Expression,
) -> Result<Vec<Location>, Failure> {
    // Strict: a misspelt element is an error, not an empty match (which would
    // make a delete silently do nothing).
    let ctx = EvaluationContext::new()
        .with_model(definitions)
        .with_resource(resource)
        .strict(true);
    let items = path.evaluate(&ctx).map_err(|error| {
        Failure::invalid(format!(
            "the path '{}' fails: {error}{}",
            path.text(),
            choice_hint(definitions, &error)
        ))
    })?;
    let locator = Locator::new(resource);
    let mut found: Vec<Location> = Vec::with_capacity(items.len());
    for item in &items {
        let location = item
            .as_node()
            .and_then(|node| locator.locate(node))
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "the path '{}' gives {}, which is not an element of this resource",
                    path.text(),
                    item.to_display_string()
                        .map_or("a computed value".to_string(), |v| format!("'{v}'"))
                ))
            })?;
        // `combine()` can select one element twice; it is still one element.
        if !found.contains(&location) {
            found.push(location);
        }
    }
    Ok(found)
}

/// FHIRPath names a choice element without its type (`Observation.value`);
/// a path written with the JSON name (`valueQuantity`) gets the FHIRPath form.
fn choice_hint(definitions: &Definitions, error: &tessera_fhirpath::Error) -> String {
    let tessera_fhirpath::Error::UnknownElement { type_name, element } = error else {
        return String::new();
    };
    definitions
        .element(&format!("{type_name}.{element}"))
        .and_then(|info| {
            let base = info.path.rsplit('.').next()?.strip_suffix("[x]")?;
            let [variant] = info.types.as_slice() else {
                return None;
            };
            Some(format!(
                " (a choice element: write {type_name}.{base}.ofType({variant}))"
            ))
        })
        .unwrap_or_default()
}

fn resource_type(resource: &Json) -> &str {
    resource
        .get("resourceType")
        .and_then(Json::as_str)
        .unwrap_or("Resource")
}

/// The definition path of the element at `steps` (`Patient.contact`): JSON
/// names without indexes, starting again at a resource inside the resource
/// (`contained`), and a primitive's `_name` companion read as the primitive.
fn definition_path(resource: &Json, steps: &[Step]) -> String {
    let mut path = resource_type(resource).to_string();
    let mut current = Some(resource);
    for step in steps {
        current = current.and_then(|value| match step {
            Step::Key(key) => value.get(key),
            Step::Index(index) => value.get(index),
        });
        if let Step::Key(key) = step {
            path.push('.');
            path.push_str(key.strip_prefix('_').unwrap_or(key));
        }
        if let Some(inner) = current
            .and_then(|value| value.get("resourceType"))
            .and_then(Json::as_str)
        {
            path = inner.to_string();
        }
    }
    path
}

/// Where the resource's JSON is not where the evaluation just found it: a bug,
/// but reported, not a panic.
fn lost(location: &str) -> Failure {
    Failure::processing(format!("{location} vanished while patching"))
}

fn element_parts(
    location: Location,
    verb: &str,
) -> Result<(Vec<Step>, String, Option<usize>), Failure> {
    match location {
        Location::Root => Err(Failure::processing(format!(
            "the path selects the resource itself, which a patch cannot {verb} (use PUT or DELETE)"
        ))),
        Location::Element {
            parent,
            name,
            index,
        } => Ok((parent, name, index)),
    }
}

fn replace(
    resource: &mut Json,
    definitions: &Definitions,
    location: Location,
    value: &PatchValue,
) -> Result<(), Failure> {
    let (parent, name, index) = element_parts(location, "replace")?;
    let owner = definition_path(resource, &parent);
    let element = Target::element_name(definitions, &owner, &name);
    let target = Target::resolve(definitions, &owner, &element, value)?;
    let slot = target.build(definitions, value)?;
    let object = slots::object_at_mut(resource, &parent).ok_or_else(|| lost(&owner))?;
    match index {
        Some(index) => {
            let (mut items, _) = slots::take(object, &name);
            let item = items.get_mut(index).ok_or_else(|| lost(&owner))?;
            *item = slot;
            slots::put(object, &name, items, true);
        }
        None => {
            // A choice may change its type: valueQuantity gives way to valueString.
            if target.key != name {
                slots::put(object, &name, Vec::new(), false);
            }
            slots::put(object, &target.key, vec![slot], target.repeats);
        }
    }
    Ok(())
}

fn delete(resource: &mut Json, location: Location) -> Result<(), Failure> {
    let (parent, name, index) = element_parts(location, "delete")?;
    let owner = definition_path(resource, &parent);
    let object = slots::object_at_mut(resource, &parent).ok_or_else(|| lost(&owner))?;
    match index {
        Some(index) => {
            let (mut items, _) = slots::take(object, &name);
            if index >= items.len() {
                return Err(lost(&owner));
            }
            items.remove(index);
            slots::put(object, &name, items, true);
        }
        None => slots::put(object, &name, Vec::new(), false),
    }
    Ok(())
}

fn add(
    resource: &mut Json,
    definitions: &Definitions,
    location: Location,
    name: &str,
    value: &PatchValue,
) -> Result<(), Failure> {
    let steps = location.steps();
    let owner = definition_path(resource, &steps);
    let target = Target::resolve(definitions, &owner, name, value)?;
    let slot = target.build(definitions, value)?;
    if let Some(Json::Object(_)) = slots::value_at(resource, &steps) {
        let object = slots::object_at_mut(resource, &steps).ok_or_else(|| lost(&owner))?;
        return add_into(object, &owner, &target, slot);
    }
    // A primitive: its children (id, extension) live in its `_name` companion.
    let (parent, name_of_primitive, index) = element_parts(location, "add to")?;
    let object = slots::object_at_mut(resource, &parent).ok_or_else(|| lost(&owner))?;
    let (mut items, is_array) = slots::take(object, &name_of_primitive);
    let primitive = items
        .get_mut(index.unwrap_or(0))
        .ok_or_else(|| lost(&owner))?;
    let mut companion = match primitive.extension.take() {
        Some(Json::Object(map)) => map,
        _ => Map::new(),
    };
    add_into(&mut companion, &owner, &target, slot)?;
    primitive.extension = Some(Json::Object(companion));
    slots::put(object, &name_of_primitive, items, is_array);
    Ok(())
}

fn add_into(
    object: &mut Map<String, Json>,
    owner: &str,
    target: &Target,
    slot: Slot,
) -> Result<(), Failure> {
    if let Some(taken) = target
        .variants
        .iter()
        .find(|key| **key != target.key && !slots::take(object, key).0.is_empty())
    {
        return Err(Failure::processing(format!(
            "{owner}.{taken} already has a value; replace it instead"
        )));
    }
    let (mut items, _) = slots::take(object, &target.key);
    if target.repeats {
        items.push(slot);
        slots::put(object, &target.key, items, true);
        return Ok(());
    }
    if !items.is_empty() {
        return Err(Failure::processing(format!(
            "{owner}.{} already has a value, and add only fills an empty element that does not repeat; replace it instead",
            target.key
        )));
    }
    slots::put(object, &target.key, vec![slot], false);
    Ok(())
}

/// The list that every match of `path` is an item of: its parent and name.
fn list(
    found: &[Location],
    path: &Expression,
    described: &str,
) -> Result<(Vec<Step>, String), Failure> {
    let mut list: Option<(&Vec<Step>, &String)> = None;
    for location in found {
        let Location::Element {
            parent,
            name,
            index: Some(_),
        } = location
        else {
            return Err(Failure::processing(format!(
                "the path '{}' matches {described}, which is not an item of a list",
                path.text()
            )));
        };
        match list {
            Some(seen) if seen != (parent, name) => {
                return Err(Failure::processing(format!(
                    "the path '{}' matches items of more than one list ({described})",
                    path.text()
                )));
            }
            _ => list = Some((parent, name)),
        }
    }
    list.map(|(parent, name)| (parent.clone(), name.clone()))
        .ok_or_else(|| {
            Failure::processing(format!(
                "the path '{}' matches no list (to start one, use add)",
                path.text()
            ))
        })
}

fn insert(
    resource: &mut Json,
    definitions: &Definitions,
    parent: &[Step],
    name: &str,
    index: usize,
    value: &PatchValue,
) -> Result<(), Failure> {
    let owner = definition_path(resource, parent);
    let target = Target::resolve(definitions, &owner, name, value)?;
    let slot = target.build(definitions, value)?;
    let object = slots::object_at_mut(resource, parent).ok_or_else(|| lost(&owner))?;
    let (mut items, _) = slots::take(object, name);
    if index > items.len() {
        return Err(Failure::processing(format!(
            "index {index} is past the end of {owner}.{name}, which has {} items",
            items.len()
        )));
    }
    items.insert(index, slot);
    slots::put(object, name, items, true);
    Ok(())
}

fn move_item(
    resource: &mut Json,
    parent: &[Step],
    name: &str,
    source: usize,
    destination: usize,
) -> Result<(), Failure> {
    let owner = definition_path(resource, parent);
    let object = slots::object_at_mut(resource, parent).ok_or_else(|| lost(&owner))?;
    let (mut items, _) = slots::take(object, name);
    for (what, index) in [("source", source), ("destination", destination)] {
        if index >= items.len() {
            return Err(Failure::processing(format!(
                "the {what} index {index} is past the end of {owner}.{name}, which has {} items",
                items.len()
            )));
        }
    }
    let item = items.remove(source);
    items.insert(destination, item);
    slots::put(object, name, items, true);
    Ok(())
}
