//! The static call graph of Rego rules and functions, checked before anything is evaluated.
//!
//! Rego forbids recursion (OPA refuses it at compile time). regorus 0.11 finds a rule that
//! depends on itself only while evaluating it, and never finds a function that calls itself:
//! `f(x) := y if { y := f(x) }` recurses until the evaluator thread's stack overflows, which
//! aborts the whole process (an overflow cannot be caught). So every policy is checked here,
//! on its syntax tree, before the first evaluation:
//!
//! - a cycle among rules and functions (through names of the same package, `data.…`
//!   references, imports, and calls) is refused, naming the cycle and where each member is
//!   defined;
//! - the longest chain of nested rule and function evaluations is bounded
//!   ([`MAX_CALL_DEPTH`]), so the evaluator's stack need is bounded too (the evaluator runs on a
//!   thread with an explicit stack size sized for it, `rego.rs`).
//!
//! The graph over-approximates: a dynamic reference (`data.pkg[x]`) depends on every rule
//! under its static prefix, and a name that is both a local variable and a rule counts as the
//! rule unless the rule declares the variable (`some`, `:=`, arguments, `every`). Calls are
//! never taken for local variables (a local cannot be called), so function recursion — the kind
//! regorus cannot stop — is never missed.

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use std::collections::{BTreeMap, BTreeSet};

/// The longest accepted chain of nested rule/function evaluations (the built-in policy needs
/// 3). A chain this long runs within [`crate::rego`]'s evaluator stack with a wide margin.
pub const MAX_CALL_DEPTH: usize = 64;

/// Why a policy's call graph is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// The file of the first rule named.
    pub file: String,
    pub message: String,
}

/// One rule or function: every definition of one name in one package.
struct Node {
    /// `data.pkg.name`.
    key: String,
    /// `file:line` of its first definition.
    at: String,
    file: String,
    deps: BTreeSet<usize>,
}

/// Checks the modules' rules and functions for cycles and excessive nesting.
pub fn check(modules: &[Ref<Module>]) -> Result<(), GraphError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    // First pass: the nodes.
    let mut rules: Vec<(usize, &Ref<Module>, &Ref<Rule>)> = Vec::new();
    for module in modules {
        let Some(pkg) = static_path(&module.package.refr) else {
            continue;
        };
        let pkg = format!("data.{}", pkg.join("."));
        for rule in &module.policy {
            let Some(name) = rule_name(rule) else {
                continue;
            };
            let key = format!("{pkg}.{name}");
            let id = *index.entry(key.clone()).or_insert_with(|| {
                let span = rule.span();
                nodes.push(Node {
                    key,
                    at: format!("{}:{}", span.source.file(), span.line),
                    file: span.source.file().clone(),
                    deps: BTreeSet::new(),
                });
                nodes.len() - 1
            });
            rules.push((id, module, rule));
        }
    }
    // Second pass: the edges.
    for (id, module, rule) in rules {
        let pkg = static_path(&module.package.refr).unwrap_or_default();
        let mut imports = BTreeMap::new();
        for import in &module.imports {
            if let Some(path) = static_path(&import.refr) {
                if path.first().map(String::as_str) != Some("data") || path.len() < 2 {
                    continue;
                }
                let alias = match &import.r#as {
                    Some(span) => span.text().to_string(),
                    None => path.last().cloned().unwrap_or_default(),
                };
                imports.insert(alias, path.join("."));
            }
        }
        let mut w = Walker {
            pkg: format!("data.{}", pkg.join(".")),
            imports,
            locals: BTreeSet::new(),
            refs: Vec::new(),
        };
        w.collect_locals_rule(rule);
        w.rule(rule);
        let mut deps = BTreeSet::new();
        for (path, call) in &w.refs {
            for (key, &target) in &index {
                if depends(path, key, *call) {
                    deps.insert(target);
                }
            }
        }
        nodes[id].deps.extend(deps);
    }
    if let Some(cycle) = find_cycle(&nodes) {
        let names: Vec<String> = cycle
            .iter()
            .map(|&i| format!("{} ({})", nodes[i].key, nodes[i].at))
            .collect();
        let first = &nodes[cycle[0]];
        return Err(GraphError {
            file: first.file.clone(),
            message: format!(
                "recursion: {} → {} (Rego does not allow a rule or function to depend on itself)",
                names.join(" → "),
                first.key
            ),
        });
    }
    if let Some((depth, start)) = deepest(&nodes)
        && depth > MAX_CALL_DEPTH
    {
        let n = &nodes[start];
        return Err(GraphError {
            file: n.file.clone(),
            message: format!(
                "{} ({}) nests {depth} rule and function evaluations, more than the limit of {MAX_CALL_DEPTH}",
                n.key, n.at
            ),
        });
    }
    Ok(())
}

/// Whether a reference to `path` (dotted, `data.…`) reaches the node `key`: equal, or one is
/// a prefix of the other at a dot. A call names exactly one function.
fn depends(path: &str, key: &str, call: bool) -> bool {
    if call {
        return path == key;
    }
    let under = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b'.'
    };
    path == key || under(key, path) || under(path, key)
}

/// A DFS over the graph; returns the nodes of one cycle, in order.
fn find_cycle(nodes: &[Node]) -> Option<Vec<usize>> {
    // 0 unvisited, 1 on the stack, 2 done. Iterative: the graph can be as long as the policy.
    let mut state = vec![0u8; nodes.len()];
    for root in 0..nodes.len() {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>)> =
            vec![(root, nodes[root].deps.iter().copied().collect())];
        state[root] = 1;
        while let Some((n, pending)) = stack.last_mut() {
            let n = *n;
            match pending.pop() {
                Some(next) if state[next] == 1 => {
                    let from = stack.iter().position(|(m, _)| *m == next).unwrap_or(0);
                    return Some(stack[from..].iter().map(|(m, _)| *m).collect());
                }
                Some(next) if state[next] == 0 => {
                    state[next] = 1;
                    stack.push((next, nodes[next].deps.iter().copied().collect()));
                }
                Some(_) => {}
                None => {
                    state[n] = 2;
                    stack.pop();
                }
            }
        }
    }
    None
}

/// The longest chain (in nodes) of an acyclic graph, and where it starts.
fn deepest(nodes: &[Node]) -> Option<(usize, usize)> {
    let mut depth: Vec<usize> = vec![0; nodes.len()];
    // Post-order without recursion.
    for root in 0..nodes.len() {
        if depth[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, false)];
        while let Some((n, expanded)) = stack.pop() {
            if depth[n] != 0 {
                continue;
            }
            if expanded {
                depth[n] = 1 + nodes[n].deps.iter().map(|&d| depth[d]).max().unwrap_or(0);
            } else {
                stack.push((n, true));
                stack.extend(
                    nodes[n]
                        .deps
                        .iter()
                        .filter(|&&d| depth[d] == 0)
                        .map(|&d| (d, false)),
                );
            }
        }
    }
    (0..nodes.len()).map(|i| (depth[i], i)).max()
}

/// The static components of a reference (`a.b["c"]` → a, b, c), or `None` when any is dynamic.
fn static_path(e: &Ref<Expr>) -> Option<Vec<String>> {
    let (base, fields, dynamic) = flatten(e)?;
    dynamic.is_empty().then(|| {
        let mut v = vec![base];
        v.extend(fields);
        v
    })
}

/// A reference chain: its base variable, the static fields up to the first dynamic index, and
/// the dynamic index expressions (which are walked separately).
fn flatten(e: &Ref<Expr>) -> Option<(String, Vec<String>, Vec<Ref<Expr>>)> {
    match e.as_ref() {
        Expr::Var { span, .. } => Some((span.text().to_string(), Vec::new(), Vec::new())),
        Expr::RefDot { refr, field, .. } => {
            let (base, mut fields, dynamic) = flatten(refr)?;
            if dynamic.is_empty() {
                fields.push(field.0.text().to_string());
            }
            Some((base, fields, dynamic))
        }
        Expr::RefBrack { refr, index, .. } => {
            let (base, mut fields, mut dynamic) = flatten(refr)?;
            match (index.as_ref(), dynamic.is_empty()) {
                (Expr::String { value, .. } | Expr::RawString { value, .. }, true) => {
                    match value.as_string() {
                        Ok(s) => fields.push(s.to_string()),
                        Err(_) => dynamic.push(index.clone()),
                    }
                }
                _ => dynamic.push(index.clone()),
            }
            Some((base, fields, dynamic))
        }
        _ => None,
    }
}

/// The name a rule defines: the first component of its head reference.
fn rule_name(rule: &Ref<Rule>) -> Option<String> {
    let refr = match rule.as_ref() {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => refr,
        },
        Rule::Default { refr, .. } => refr,
    };
    let (base, _, _) = flatten(refr)?;
    Some(base)
}

struct Walker {
    /// `data.pkg` of the module.
    pkg: String,
    /// Import alias → `data.…` path.
    imports: BTreeMap<String, String>,
    /// Variables the rule declares.
    locals: BTreeSet<String>,
    /// Referenced `data.…` paths, and whether each is a call.
    refs: Vec<(String, bool)>,
}

impl Walker {
    fn collect_locals_rule(&mut self, rule: &Ref<Rule>) {
        if let Rule::Spec { head, bodies, .. } = rule.as_ref() {
            if let RuleHead::Func { args, .. } = head {
                for a in args {
                    self.vars_of(a);
                }
            }
            for b in bodies {
                self.collect_locals_query(&b.query);
            }
        }
    }

    fn collect_locals_query(&mut self, q: &Ref<Query>) {
        for s in &q.stmts {
            match &s.literal {
                Literal::SomeVars { vars, .. } => {
                    self.locals
                        .extend(vars.iter().map(|v| v.text().to_string()));
                }
                Literal::SomeIn { key, value, .. } => {
                    if let Some(k) = key {
                        self.vars_of(k);
                    }
                    self.vars_of(value);
                }
                Literal::Every {
                    key, value, query, ..
                } => {
                    if let Some(k) = key {
                        self.locals.insert(k.text().to_string());
                    }
                    self.locals.insert(value.text().to_string());
                    self.collect_locals_query(query);
                }
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => {
                    if let Expr::AssignExpr { lhs, .. } = expr.as_ref() {
                        self.vars_of(lhs);
                    }
                }
            }
        }
    }

    /// Every plain variable in a pattern (`[a, b]`, `{"k": v}`, `x`).
    fn vars_of(&mut self, e: &Ref<Expr>) {
        match e.as_ref() {
            Expr::Var { span, .. } => {
                self.locals.insert(span.text().to_string());
            }
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                for i in items {
                    self.vars_of(i);
                }
            }
            Expr::Object { fields, .. } => {
                for (_, _, v) in fields {
                    self.vars_of(v);
                }
            }
            _ => {}
        }
    }

    fn rule(&mut self, rule: &Ref<Rule>) {
        match rule.as_ref() {
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Compr { refr, assign, .. } => {
                        self.head_ref(refr);
                        if let Some(a) = assign {
                            self.expr(&a.value);
                        }
                    }
                    RuleHead::Set { refr, key, .. } => {
                        self.head_ref(refr);
                        if let Some(k) = key {
                            self.expr(k);
                        }
                    }
                    RuleHead::Func {
                        refr, args, assign, ..
                    } => {
                        self.head_ref(refr);
                        for a in args {
                            self.expr(a);
                        }
                        if let Some(a) = assign {
                            self.expr(&a.value);
                        }
                    }
                }
                for b in bodies {
                    if let Some(a) = &b.assign {
                        self.expr(&a.value);
                    }
                    self.query(&b.query);
                }
            }
            Rule::Default { value, args, .. } => {
                for a in args {
                    self.expr(a);
                }
                self.expr(value);
            }
        }
    }

    /// A rule head's own reference: only its dynamic parts (`p[x]`) are expressions.
    fn head_ref(&mut self, refr: &Ref<Expr>) {
        if let Some((_, _, dynamic)) = flatten(refr) {
            for d in dynamic {
                self.expr(&d);
            }
        }
    }

    fn query(&mut self, q: &Ref<Query>) {
        for s in &q.stmts {
            match &s.literal {
                Literal::SomeVars { .. } => {}
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    if let Some(k) = key {
                        self.expr(k);
                    }
                    self.expr(value);
                    self.expr(collection);
                }
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.expr(expr),
                Literal::Every { domain, query, .. } => {
                    self.expr(domain);
                    self.query(query);
                }
            }
            for m in &s.with_mods {
                // `with TARGET as VALUE`: the target is replaced, not evaluated; the value is
                // (and may name a function that replaces the target).
                self.reference(&m.r#as, true);
                self.expr(&m.r#as);
            }
        }
    }

    fn expr(&mut self, e: &Ref<Expr>) {
        match e.as_ref() {
            Expr::String { .. }
            | Expr::RawString { .. }
            | Expr::Number { .. }
            | Expr::Bool { .. }
            | Expr::Null { .. } => {}
            Expr::Var { .. } | Expr::RefDot { .. } | Expr::RefBrack { .. } => {
                self.reference(e, false);
            }
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                for i in items {
                    self.expr(i);
                }
            }
            Expr::Object { fields, .. } => {
                for (_, k, v) in fields {
                    self.expr(k);
                    self.expr(v);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.expr(term);
                self.query(query);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.expr(key);
                self.expr(value);
                self.query(query);
            }
            Expr::Call { fcn, params, .. } => {
                self.reference(fcn, true);
                for p in params {
                    self.expr(p);
                }
            }
            Expr::UnaryExpr { expr, .. } => self.expr(expr),
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(k) = key {
                    self.expr(k);
                }
                self.expr(value);
                self.expr(collection);
            }
        }
    }

    /// Records what a reference (or a called name) reaches, and walks its dynamic indexes.
    fn reference(&mut self, e: &Ref<Expr>, call: bool) {
        let Some((base, fields, dynamic)) = flatten(e) else {
            return;
        };
        for d in &dynamic {
            self.expr(d);
        }
        let root = if base == "data" {
            "data".to_string()
        } else if let Some(path) = self.imports.get(&base) {
            path.clone()
        } else if base == "input" || (!call && self.locals.contains(&base)) {
            return;
        } else {
            // A name of the module's own package (a builtin or an unknown name reaches no node).
            format!("{}.{base}", self.pkg)
        };
        let mut path = root;
        for f in &fields {
            path.push('.');
            path.push_str(f);
        }
        // A call's dynamic part cannot name another function; a reference's can reach
        // anything under its static prefix.
        self.refs.push((path, call && dynamic.is_empty()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regorus::Engine;

    fn check_text(text: &str) -> Result<(), GraphError> {
        let mut e = Engine::new();
        e.add_policy("t.rego".into(), text.into()).unwrap();
        check(e.get_modules())
    }

    const HEAD: &str = "package tollgate.gate\nimport rego.v1\n";

    #[test]
    fn function_recursion_is_refused() {
        let e = check_text(&format!(
            "{HEAD}f(x) := y if {{ y := f(x) }}\nallow if f(1)\n"
        ))
        .unwrap_err();
        assert_eq!(e.file, "t.rego");
        assert!(
            e.message
                .starts_with("recursion: data.tollgate.gate.f (t.rego:3)"),
            "{e:?}"
        );
        // Mutual, through a second package and an import.
        let mut en = Engine::new();
        en.add_policy(
            "a.rego".into(),
            format!("{HEAD}import data.lib\nallow if lib.g(1)\nh(x) := lib.g(x)\n"),
        )
        .unwrap();
        en.add_policy(
            "b.rego".into(),
            "package lib\nimport rego.v1\ng(x) := y if { y := data.tollgate.gate.h(x) }\n".into(),
        )
        .unwrap();
        let e = check(en.get_modules()).unwrap_err();
        assert!(
            e.message.contains("data.lib.g") && e.message.contains("data.tollgate.gate.h"),
            "{e:?}"
        );
    }

    #[test]
    fn rule_cycles_are_refused() {
        for text in [
            "a := b\nb := a\nallow if a\n",
            "deny contains m if { some m in data.tollgate.gate.deny }\n",
            "allow if data.tollgate[\"gate\"].allow\n",
            "x[k] := 1 if { some k in data.tollgate.gate }\n",
        ] {
            let r = check_text(&format!("{HEAD}{text}"));
            assert!(
                r.as_ref()
                    .is_err_and(|e| e.message.starts_with("recursion")),
                "{text}: {r:?}"
            );
        }
    }

    #[test]
    fn ordinary_policies_pass() {
        check_text(crate::rego::DEFAULT_POLICY).unwrap();
        for text in [
            // A local named like a rule, declared by `some` / `:=` / an argument.
            "deny contains deny_msg if { some deny_msg in input.x }\ndeny_msg := 1\n",
            "f(allow) := allow\nallow if f(true)\n",
            "allow if { count := 3; count > 1 }\n",
            // Two functions with one name (several bodies) that call others.
            "g(x) := 1 if x > 1\ng(x) := 2 if x <= 1\nf(x) := g(x)\nallow if f(2) == 1\n",
        ] {
            let r = check_text(&format!("{HEAD}{text}"));
            assert!(r.is_ok(), "{text}: {r:?}");
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let chain = |n: usize| {
            let mut t = String::from(HEAD);
            for i in 0..n {
                t.push_str(&format!("f{i}(x) := f{}(x)\n", i + 1));
            }
            t.push_str(&format!("f{n}(x) := x\nallow if f0(true)\n"));
            t
        };
        // `allow` plus f0..=fN: N + 2 nodes on the longest chain.
        check_text(&chain(MAX_CALL_DEPTH - 2)).unwrap();
        let e = check_text(&chain(MAX_CALL_DEPTH - 1)).unwrap_err();
        assert!(e.message.contains("more than the limit of 64"), "{e:?}");
    }
}
