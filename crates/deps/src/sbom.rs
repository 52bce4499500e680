//! SBOMs: CycloneDX 1.6 JSON and SPDX 2.3 JSON out, CycloneDX and SPDX JSON in.
//!
//! Written against the two specifications directly: the Rust CycloneDX/SPDX model crates lag
//! the 1.6 / 2.3 schemas or carry heavy dependency trees, and the documents are plain JSON.

use crate::component::{Component, Scope};
use crate::parse::ParseError;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Document metadata.
#[derive(Debug, Clone)]
pub struct SbomOptions {
    /// What the SBOM describes (the scanned folder's name).
    pub name: String,
    /// Creation time, seconds since the epoch (`SOURCE_DATE_EPOCH` makes output reproducible).
    pub timestamp: i64,
    pub tool_version: String,
}

fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Merges the components of several lockfiles into one list (by purl, and whether it is a
/// workspace member), sorted. A workspace member and a registry package can share a purl
/// (rust-analyzer's Cargo.lock has `la-arena 0.3.1` as both its own path crate and the
/// crates.io release): they are different packages and both stay listed; [`bom_ref`] tells
/// them apart.
pub fn merge(components: &[Component]) -> Vec<Component> {
    let mut by: BTreeMap<(String, bool), Component> = BTreeMap::new();
    for c in components {
        match by.get_mut(&(c.purl.clone(), c.is_root)) {
            Some(o) => {
                o.direct |= c.direct;
                if c.scope < o.scope {
                    o.scope = c.scope;
                }
                for d in &c.dependencies {
                    if !o.dependencies.contains(d) {
                        o.dependencies.push(d.clone());
                    }
                }
                for h in &c.hashes {
                    if !o.hashes.contains(h) {
                        o.hashes.push(h.clone());
                    }
                }
            }
            None => {
                by.insert((c.purl.clone(), c.is_root), c.clone());
            }
        }
    }
    let mut out: Vec<Component> = by.into_values().collect();
    for c in &mut out {
        c.dependencies.sort();
        c.dependencies.dedup();
        c.hashes.sort();
    }
    out
}

/// The CycloneDX `bom-ref` of a merged component: its purl, except for a workspace member
/// whose purl a registry package of the same list also has (`<purl>#workspace`; dependency edges
/// by purl go to the registry package).
fn bom_ref(c: &Component, registry_purls: &BTreeSet<&str>) -> String {
    if c.is_root && registry_purls.contains(c.purl.as_str()) {
        format!("{}#workspace", c.purl)
    } else {
        c.purl.clone()
    }
}

/// A UUID (version 4 layout) derived from `seed`, so the same input gives the same serial.
fn uuid_from(seed: &[u8]) -> String {
    let d = tollgate_model::sha256(seed).0;
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn seed(components: &[Component], opts: &SbomOptions, kind: &str) -> Vec<u8> {
    let mut s = format!("{kind}\n{}\n{}\n", opts.name, opts.timestamp);
    for c in components {
        s.push_str(&c.purl);
        s.push('\n');
    }
    s.into_bytes()
}

/// The purls some other component of `comps` depends on.
fn children(comps: &[Component]) -> BTreeSet<&str> {
    comps
        .iter()
        .flat_map(|o| {
            o.dependencies
                .iter()
                .filter(move |d| **d != o.purl)
                .map(String::as_str)
        })
        .collect()
}

/// CycloneDX 1.6 JSON of `components` (merged by purl; dependency refs to packages not in the
/// list are dropped).
pub fn cyclonedx(components: &[Component], opts: &SbomOptions) -> Value {
    let comps = merge(components);
    let known: BTreeSet<&str> = comps.iter().map(|c| c.purl.as_str()).collect();
    let registry: BTreeSet<&str> = comps
        .iter()
        .filter(|c| !c.is_root)
        .map(|c| c.purl.as_str())
        .collect();
    let list: Vec<Value> = comps
        .iter()
        .map(|c| {
            let mut o = json!({
                "type": if c.is_root { "application" } else { "library" },
                "bom-ref": bom_ref(c, &registry),
                "name": c.name,
                "purl": c.purl,
            });
            if !c.version.is_empty() {
                o["version"] = json!(c.version);
            }
            match c.scope {
                Scope::Runtime => o["scope"] = json!("required"),
                Scope::Optional => o["scope"] = json!("optional"),
                Scope::Dev => o["scope"] = json!("excluded"),
                Scope::Unknown => {}
            }
            if !c.hashes.is_empty() {
                o["hashes"] = json!(
                    c.hashes
                        .iter()
                        .map(|h| json!({"alg": h.alg, "content": h.hex}))
                        .collect::<Vec<_>>()
                );
            }
            if !c.licenses.is_empty() {
                o["licenses"] = json!([{ "expression": c.licenses.join(" AND ") }]);
            }
            if let Some(src) = &c.source
                && (src.contains("://") || src.starts_with("path:"))
            {
                o["externalReferences"] = json!([{ "type": "distribution", "url": src }]);
            }
            o["properties"] = json!([
                {"name": "tollgate:ecosystem", "value": c.ecosystem.osv_name()},
                {"name": "tollgate:direct", "value": c.direct.to_string()},
                {"name": "tollgate:scope", "value": serde_json::to_value(c.scope).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()},
            ]);
            if let Some(n) = &c.note
                && let Some(props) = o["properties"].as_array_mut()
            {
                props.push(json!({"name": "tollgate:note", "value": n}));
            }
            o
        })
        .collect();
    let root_ref = format!("tollgate:root:{}", opts.name);
    // The described folder depends on what the SPDX output relates to its root: direct
    // dependencies, workspace members, and packages nothing else depends on.
    let kids = children(&comps);
    let top: Vec<String> = comps
        .iter()
        .filter(|c| c.direct || c.is_root || !kids.contains(c.purl.as_str()))
        .map(|c| bom_ref(c, &registry))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut deps: Vec<Value> = vec![json!({"ref": &root_ref, "dependsOn": top})];
    deps.extend(comps.iter().map(|c| {
        json!({
            "ref": bom_ref(c, &registry),
            "dependsOn": c.dependencies.iter().filter(|d| known.contains(d.as_str()) && **d != c.purl).collect::<Vec<_>>(),
        })
    }));
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_from(&seed(&comps, opts, "cdx"))),
        "version": 1,
        "metadata": {
            "timestamp": rfc3339(opts.timestamp),
            "tools": {"components": [{"type": "application", "name": "tollgate", "version": opts.tool_version}]},
            "component": {"type": "application", "bom-ref": root_ref, "name": opts.name},
        },
        "components": list,
        "dependencies": deps,
    })
}

fn spdx_alg(alg: &str) -> Option<&'static str> {
    Some(match alg {
        "SHA-1" => "SHA1",
        "SHA-256" => "SHA256",
        "SHA-384" => "SHA384",
        "SHA-512" => "SHA512",
        "MD5" => "MD5",
        _ => return None,
    })
}

/// SPDX 2.3 JSON of `components`.
pub fn spdx(components: &[Component], opts: &SbomOptions) -> Value {
    let comps = merge(components);
    let id_of = |i: usize| format!("SPDXRef-Package-{}", i + 1);
    // Edges by purl go to the registry package when a workspace member shares its purl
    // (`merge` sorts the member after it, so the first one inserted wins).
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (i, c) in comps.iter().enumerate() {
        ids.entry(c.purl.as_str()).or_insert_with(|| id_of(i));
    }
    let root_id = "SPDXRef-Package-root".to_string();
    let kids = children(&comps);
    let mut packages = vec![json!({
        "SPDXID": root_id,
        "name": opts.name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": "APPLICATION",
    })];
    let mut rels = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": root_id,
    })];
    for (i, c) in comps.iter().enumerate() {
        let id = &id_of(i);
        let download = c
            .source
            .as_deref()
            .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
            .unwrap_or("NOASSERTION");
        let mut p = json!({
            "SPDXID": id,
            "name": c.name,
            "downloadLocation": download,
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": if c.is_root { "APPLICATION" } else { "LIBRARY" },
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": c.purl,
            }],
            "comment": format!("ecosystem={} direct={} scope={}", c.ecosystem.osv_name(), c.direct,
                serde_json::to_value(c.scope).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
        });
        if let Some(n) = &c.note {
            p["comment"] = json!(format!(
                "{}; note: {n}",
                p["comment"].as_str().unwrap_or("")
            ));
        }
        if !c.version.is_empty() {
            p["versionInfo"] = json!(c.version);
        }
        let sums: Vec<Value> = c
            .hashes
            .iter()
            .filter_map(|h| {
                spdx_alg(&h.alg).map(|a| json!({"algorithm": a, "checksumValue": h.hex}))
            })
            .collect();
        if !sums.is_empty() {
            p["checksums"] = json!(sums);
        }
        packages.push(p);
        if c.direct || c.is_root || !kids.contains(c.purl.as_str()) {
            let ty = if c.scope == Scope::Dev {
                "DEV_DEPENDENCY_OF"
            } else {
                "DEPENDENCY_OF"
            };
            rels.push(
                json!({"spdxElementId": id, "relationshipType": ty, "relatedSpdxElement": root_id}),
            );
        }
        for d in &c.dependencies {
            if let Some(did) = ids.get(d.as_str())
                && did != id
            {
                rels.push(json!({"spdxElementId": id, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": did}));
            }
        }
    }
    let uuid = uuid_from(&seed(&comps, opts, "spdx"));
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": opts.name,
        "documentNamespace": format!("https://spdx.org/spdxdocs/tollgate/{}-{uuid}", sanitize(&opts.name)),
        "creationInfo": {
            "created": rfc3339(opts.timestamp),
            "creators": [format!("Tool: tollgate-{}", opts.tool_version)],
        },
        "packages": packages,
        "relationships": rels,
    })
}

fn sanitize(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if t.is_empty() { "sbom".into() } else { t }
}

/// Reads a CycloneDX (JSON) or SPDX 2.x (JSON) document made by any tool. Packages whose purl
/// names an ecosystem we match become components; the others are skipped.
pub fn read(bytes: &[u8]) -> Result<(&'static str, Vec<Component>), ParseError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| ParseError::json(&e))?;
    let mut out = Vec::new();
    let mk = |purl: &str, fallback_version: Option<&str>| -> Option<Component> {
        let p = crate::purl::Purl::parse(purl).ok()?;
        let (eco, name) = p.package()?;
        let v = p
            .version
            .clone()
            .or(fallback_version.map(str::to_string))
            .unwrap_or_default();
        let mut c = Component::new(eco, &name, &v);
        if let (crate::component::Ecosystem::GitHubActions, Some(sub)) = (eco, &p.subpath) {
            c.purl = crate::purl::for_package(eco, &format!("{name}/{sub}"), &v);
        }
        c.direct = false;
        Some(c)
    };
    if doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        fn walk(list: &[Value], acc: &mut Vec<(String, Option<String>, Value)>) {
            for c in list {
                if let Some(p) = c.get("purl").and_then(Value::as_str) {
                    acc.push((
                        p.to_string(),
                        c.get("version").and_then(Value::as_str).map(str::to_string),
                        c.clone(),
                    ));
                }
                if let Some(sub) = c.get("components").and_then(Value::as_array) {
                    walk(sub, acc);
                }
            }
        }
        let mut acc = Vec::new();
        walk(
            doc.get("components")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            &mut acc,
        );
        let deps: BTreeMap<String, Vec<String>> = doc
            .get("dependencies")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| {
                        Some((
                            d.get("ref")?.as_str()?.to_string(),
                            d.get("dependsOn")?
                                .as_array()?
                                .iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ref_to_purl: BTreeMap<String, String> = BTreeMap::new();
        for (p, v, raw) in &acc {
            if let Some(mut c) = mk(p, v.as_deref()) {
                if let Some(r) = raw.get("bom-ref").and_then(Value::as_str) {
                    ref_to_purl.insert(r.to_string(), c.purl.clone());
                }
                c.scope = match raw.get("scope").and_then(Value::as_str) {
                    Some("required") => Scope::Runtime,
                    Some("optional") => Scope::Optional,
                    Some("excluded") => Scope::Dev,
                    _ => Scope::Unknown,
                };
                if let Some(hs) = raw.get("hashes").and_then(Value::as_array) {
                    for h in hs {
                        if let (Some(a), Some(x)) = (
                            h.get("alg").and_then(Value::as_str),
                            h.get("content").and_then(Value::as_str),
                        ) {
                            c.hashes.push(crate::component::Hash::new(a, x));
                        }
                    }
                }
                out.push((
                    raw.get("bom-ref")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    c,
                ));
            }
        }
        let comps = out
            .into_iter()
            .map(|(r, mut c)| {
                if let Some(ds) = r.and_then(|r| deps.get(&r)) {
                    c.dependencies = ds
                        .iter()
                        .filter_map(|d| ref_to_purl.get(d).cloned())
                        .collect();
                }
                c
            })
            .collect();
        return Ok(("CycloneDX", comps));
    }
    if doc.get("spdxVersion").is_some() {
        let mut comps = Vec::new();
        for p in doc
            .get("packages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let purl = p
                .get("externalRefs")
                .and_then(Value::as_array)
                .and_then(|refs| {
                    refs.iter()
                        .find(|r| r.get("referenceType").and_then(Value::as_str) == Some("purl"))
                })
                .and_then(|r| r.get("referenceLocator").and_then(Value::as_str));
            if let Some(c) = purl.and_then(|u| mk(u, p.get("versionInfo").and_then(Value::as_str)))
            {
                comps.push(c);
            }
        }
        return Ok(("SPDX", comps));
    }
    Err(ParseError::new(
        1,
        1,
        "neither a CycloneDX nor an SPDX JSON document",
    ))
}
