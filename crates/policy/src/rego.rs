//! Rego policies evaluated with regorus, bounded in time and memory.
//!
//! A gate policy is a Rego package `tollgate.gate` defining `deny` and `warn` (sets of
//! messages) and `allow` (a boolean). The decision is allow only when `allow` is exactly `true`
//! and `deny` is empty: a policy that does not compile, runs out of time, or returns anything
//! else is an error, which the gate turns into an explicit deny.
//!
//! Bounds: the evaluation runs with regorus's execution timer (wall clock, checked every few
//! instructions) on a worker thread that a watchdog abandons when it overruns the limit (a
//! builtin can allocate between two timer checks); policy text is limited by regorus's policy
//! length limits; the input document is limited in bytes before it is handed over. Memory is
//! thereby bounded by what can be allocated within the time limit; a hard byte budget would
//! need regorus's `allocator-memory-limits` (mimalloc as the process allocator), left to the
//! binary's owner.
//!
//! Before anything is evaluated, [`crate::callgraph`] refuses recursion and nesting deeper than
//! its limit (regorus would recurse until the stack overflows, which aborts the process); the
//! evaluator thread has an explicit stack ([`EVAL_STACK`]) sized far above that limit, and
//! compiling (whose rule probes evaluate the policy once) runs under its own watchdog
//! ([`LOAD_LIMIT`]).
//!
//! Two engines: user policies always run on regorus's tree-walking interpreter. The built-in
//! policy (recognised by its digest: the exact built-in name and text) runs on regorus's
//! bytecode VM (RVM), about 3x faster on it, unless `TOLLGATE_POLICY_ENGINE=interpreter` is
//! set. The RVM is not equivalent to the interpreter on every policy (it can let an undefined
//! value through a rule body), so it only ever runs the one policy whose decisions the tests
//! prove identical on both engines (`tests/gate.rs`, `tests/engines.rs`). Its bytecode is
//! compiled once per process. The VM runs under the same bounds: its own execution timer with
//! the same limit, on the same evaluator thread and watchdog, the same input size limit, and
//! strict builtin errors; any VM error is an error, which the gate turns into a deny.

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::{Program, RegoVM};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};
use tollgate_model::{Digest, sha256_parts};

/// The built-in policy encoding the checklist.
pub const DEFAULT_POLICY: &str = include_str!("../policy/default.rego");
/// The name the built-in policy is loaded under (part of its digest).
pub const DEFAULT_POLICY_NAME: &str = "builtin:default.rego";
/// The package every gate policy defines.
pub const PACKAGE: &str = "data.tollgate.gate";
/// Environment variable choosing the built-in policy's engine: `interpreter` keeps it on the
/// interpreter; anything else (or unset) lets it run on the RVM.
pub const ENGINE_ENV: &str = "TOLLGATE_POLICY_ENGINE";

/// Which regorus evaluator runs a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The tree-walking interpreter: every policy.
    Interpreter,
    /// The bytecode VM: the built-in policy only.
    Rvm,
}
const RULES: [&str; 3] = ["deny", "warn", "allow"];

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: cannot read policy: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Compile { path: String, message: String },
    #[error("policy evaluation failed: {0}")]
    Eval(String),
    #[error("policy evaluation exceeded its time limit of {0:?}")]
    Timeout(Duration),
    #[error("policy returned the wrong shape: {0}")]
    Shape(String),
    #[error("evidence document is at least {size} bytes, above the limit of {limit}")]
    InputTooLarge { size: usize, limit: usize },
    #[error("no .rego files in {0}")]
    Empty(String),
    /// A cycle among rules and functions, or nesting past [`crate::callgraph::MAX_CALL_DEPTH`].
    #[error("{path}: {message}")]
    CallGraph { path: String, message: String },
    /// The policy was refused when loaded ([`Policy::load_or_refuse`]): every evaluation
    /// fails with why.
    #[error("{0}")]
    Refused(String),
    /// Loading the policy (its rule probes) overran [`LOAD_LIMIT`].
    #[error("loading the policy exceeded its time limit of {0:?}")]
    LoadTimeout(Duration),
}

impl PolicyError {
    /// Whether this is a defect of the policy text itself (rather than of the path given or of
    /// one evaluation): the gate denies with it, `policy test`/`policy eval` refuse to run.
    pub fn is_policy_defect(&self) -> bool {
        matches!(
            self,
            PolicyError::Compile { .. }
                | PolicyError::CallGraph { .. }
                | PolicyError::LoadTimeout(_)
        )
    }
}

/// What a policy decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decision {
    pub allow: bool,
    pub deny: Vec<String>,
    pub warn: Vec<String>,
}

/// How long past its own time limit an evaluation may run before the watchdog abandons it.
const WATCHDOG_GRACE: Duration = Duration::from_millis(250);

/// How long compiling a policy on its worker may take, probes included (each probe has a 5 ms
/// execution timer; only a builtin that runs long between two timer checks, on a constant
/// argument, can get near this). Past it the worker is abandoned and the policy refused.
pub const LOAD_LIMIT: Duration = Duration::from_secs(1);

/// The evaluator thread's stack. The call graph check bounds nesting to
/// [`crate::callgraph::MAX_CALL_DEPTH`] (64) rule/function levels and regorus's parser bounds
/// expression nesting. Measured in a debug build with the test below's chain (nested
/// comprehensions at every level): 2 MiB holds 150 levels and overflows at 300; 64 MiB holds
/// 1000. Reserved address space: untouched pages cost no memory.
const EVAL_STACK: usize = 64 * 1024 * 1024;

type Reply = mpsc::SyncSender<Result<Decision, PolicyError>>;

/// A thread that owns a compiled engine and evaluates jobs, one at a time, on that same engine
/// (regorus resets its evaluation state and timer at every query; policies cannot write
/// `data`, so nothing leaks from one evaluation to the next). The caller waits with a
/// deadline; an evaluation that overruns it (a builtin that allocates a huge value between two
/// timer checks, say) is abandoned with its thread, so a runaway policy costs at most the time
/// limit, and the memory it can allocate in that time.
struct Worker {
    jobs: mpsc::Sender<(Value, Duration, Reply)>,
}

impl Worker {
    /// Starts a worker and compiles `sources` on it; returns which rules are defined.
    fn start(sources: Arc<Vec<(String, String)>>) -> Result<(Worker, [bool; 3]), PolicyError> {
        let (jobs, rx) = mpsc::channel::<(Value, Duration, Reply)>();
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("tollgate-rego".into())
            .stack_size(EVAL_STACK)
            .spawn(move || {
                let mut engine = match compile(&sources, true).and_then(|(mut engine, defined)| {
                    add_entry(&mut engine, defined)?;
                    Ok((engine, defined))
                }) {
                    Ok((engine, defined)) => {
                        let _ = ready_tx.send(Ok(defined));
                        engine
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let mut timer = None;
                for (input, timeout, reply) in rx {
                    let _ = reply.send(eval_on(&mut engine, &mut timer, input, timeout));
                }
            })
            .map_err(|e| PolicyError::Eval(format!("cannot start the evaluator: {e}")))?;
        // A compile that overruns is abandoned with its thread, like an evaluation.
        let defined = match ready_rx.recv_timeout(LOAD_LIMIT) {
            Ok(r) => r?,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(PolicyError::LoadTimeout(LOAD_LIMIT));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PolicyError::Eval(
                    "the evaluator stopped while compiling".into(),
                ));
            }
        };
        Ok((Worker { jobs }, defined))
    }
}

/// Compiles `sources` into an engine: parses every file, resolves every rule (so errors show
/// now, not at the first evaluation), and learns which of `deny`, `warn`, `allow` exist
/// (regorus refuses a path to a rule that does not exist; a missing rule is undefined).
pub(crate) fn compile(
    sources: &[(String, String)],
    gate: bool,
) -> Result<(Engine, [bool; 3]), PolicyError> {
    let mut engine = Engine::new();
    for (name, text) in sources {
        engine
            .add_policy(name.clone(), text.clone())
            .map_err(|e| PolicyError::Compile {
                path: name.clone(),
                message: e.to_string(),
            })?;
    }
    // Before anything is evaluated: regorus would recurse until the stack overflows.
    crate::callgraph::check(engine.get_modules()).map_err(|e| PolicyError::CallGraph {
        path: e.file,
        message: e.message,
    })?;
    engine.set_input(Value::new_object());
    // Only whether each rule exists matters here, and errors found while preparing the
    // evaluation (unknown functions, conflicts): a short time limit keeps a runaway policy
    // from running at load time, and running out of time proves the rule exists.
    engine.set_execution_timer_config(PROBE_TIMER);
    let first = sources.first().map(|s| s.0.clone()).unwrap_or_default();
    let mut defined = [false; 3];
    for (i, rule) in RULES.iter().enumerate() {
        match engine.eval_rule(format!("{PACKAGE}.{rule}")) {
            Ok(_) => defined[i] = true,
            Err(e) if e.to_string().contains("not a valid rule path") => {}
            Err(e) if is_timeout(&e.to_string()) => defined[i] = true,
            Err(e) => {
                return Err(PolicyError::Compile {
                    path: first,
                    message: e.to_string(),
                });
            }
        }
    }
    if gate && defined == [false; 3] {
        return Err(PolicyError::Compile {
            path: first,
            message: format!(
                "defines none of `deny`, `warn`, `allow` in package {}",
                &PACKAGE[5..]
            ),
        });
    }
    engine.clear_execution_timer_config();
    Ok((engine, defined))
}

/// The time limit of the existence probes in [`compile`].
const PROBE_TIMER: ExecutionTimerConfig = ExecutionTimerConfig {
    limit: Duration::from_millis(5),
    check_interval: NonZeroU32::MIN,
};

fn is_timeout(message: &str) -> bool {
    let lower = message.to_lowercase();
    lower.contains("time limit") || lower.contains("timed out") || lower.contains("timeout")
}

/// The package of the generated entry rule (a name no user policy is expected to take).
const ENTRY_PACKAGE: &str = "tollgate_internal.entry";
const ENTRY: &str = "data.tollgate_internal.entry.decision";

/// Adds the entry rule: one rule whose value carries `deny`, `warn` and `allow`, each as an
/// array of zero (undefined) or one value. Evaluating it is one rule evaluation, with no query
/// to parse and schedule per call, in which `allow` reuses the `deny` it depends on, and rules
/// nothing reaches (tests, unused helpers) are not evaluated at all.
fn add_entry(engine: &mut Engine, defined: [bool; 3]) -> Result<(), PolicyError> {
    let mut text = format!("package {ENTRY_PACKAGE}\n\ndecision := {{");
    for (i, rule) in RULES.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        if defined[i] {
            text.push_str(&format!("{sep}\"{rule}\": [x | x := {PACKAGE}.{rule}]"));
        } else {
            text.push_str(&format!("{sep}\"{rule}\": []"));
        }
    }
    text.push_str("}\n");
    engine
        .add_policy("tollgate:entry.rego".into(), text)
        .map_err(|e| PolicyError::Compile {
            path: "tollgate:entry.rego".into(),
            message: e.to_string(),
        })?;
    engine.set_input(Value::new_object());
    engine.set_execution_timer_config(PROBE_TIMER);
    let probe = engine.eval_rule(ENTRY.into());
    engine.clear_execution_timer_config();
    match probe {
        Err(e) if !is_timeout(&e.to_string()) => Err(PolicyError::Compile {
            path: "tollgate:entry.rego".into(),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

fn eval_on(
    engine: &mut Engine,
    timer: &mut Option<Duration>,
    input: Value,
    timeout: Duration,
) -> Result<Decision, PolicyError> {
    if *timer != Some(timeout) {
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: timeout,
            check_interval: NonZeroU32::new(64).expect("non-zero"),
        });
        *timer = Some(timeout);
    }
    engine.set_input(input);
    let started = Instant::now();
    let result = engine.eval_rule(ENTRY.into());
    // Drop the input now rather than at the next evaluation.
    engine.set_input(Value::Undefined);
    let decision = result.map_err(|e| classify(e.to_string(), started, timeout))?;
    decode(&decision)
}

/// A VM loaded with the built-in policy's bytecode.
fn new_vm(program: Arc<Program>) -> RegoVM {
    let mut vm = RegoVM::new();
    vm.load_program(program);
    // Builtin errors are errors, as in the interpreter (its default).
    vm.set_strict_builtin_errors(true);
    // No instruction budget: the interpreter has none, and a budget below what the time limit
    // allows would deny large inputs the interpreter decides. The execution timer bounds the
    // evaluation, as for the interpreter.
    vm.set_max_instructions(usize::MAX);
    vm
}

/// [`eval_on`] for the RVM.
fn eval_vm(
    vm: &mut RegoVM,
    timer: &mut Option<Duration>,
    input: Value,
    timeout: Duration,
) -> Result<Decision, PolicyError> {
    if *timer != Some(timeout) {
        vm.set_execution_timer_config(Some(ExecutionTimerConfig {
            limit: timeout,
            check_interval: NonZeroU32::new(64).expect("non-zero"),
        }));
        *timer = Some(timeout);
    }
    vm.set_input(input);
    let started = Instant::now();
    let result = vm.execute_entry_point_by_name(ENTRY);
    vm.set_input(Value::Undefined);
    let decision = result.map_err(|e| classify(e.to_string(), started, timeout))?;
    decode(&decision)
}

/// The built-in policy and the entry rule compiled to RVM bytecode, once per process.
fn builtin_program() -> Result<Arc<Program>, PolicyError> {
    static PROGRAM: OnceLock<Result<Arc<Program>, String>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            let sources = [(DEFAULT_POLICY_NAME.to_string(), DEFAULT_POLICY.to_string())];
            let (mut engine, defined) = compile(&sources, true).map_err(|e| e.to_string())?;
            add_entry(&mut engine, defined).map_err(|e| e.to_string())?;
            let compiled = engine
                .compile_with_entrypoint(&ENTRY.into())
                .map_err(|e| e.to_string())?;
            Compiler::compile_from_policy(&compiled, &[ENTRY]).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| PolicyError::Compile {
            path: DEFAULT_POLICY_NAME.into(),
            message: format!("cannot compile to RVM bytecode: {message}"),
        })
}

/// The digest of the built-in policy (what selects the RVM).
pub fn builtin_digest() -> Digest {
    static DIGEST: OnceLock<Digest> = OnceLock::new();
    *DIGEST.get_or_init(|| sources_digest(&[(DEFAULT_POLICY_NAME.into(), DEFAULT_POLICY.into())]))
}

fn sources_digest(sources: &[(String, String)]) -> Digest {
    let mut parts: Vec<&[u8]> = Vec::new();
    for (name, text) in sources {
        parts.push(name.as_bytes());
        parts.push(text.as_bytes());
    }
    sha256_parts(&parts)
}

/// Whether `TOLLGATE_POLICY_ENGINE` keeps the built-in policy on the interpreter.
fn interpreter_forced() -> bool {
    std::env::var(ENGINE_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("interpreter"))
}

/// Decodes the entry rule's value into a decision.
fn decode(decision: &Value) -> Result<Decision, PolicyError> {
    let field = |name: &str| -> Result<Value, PolicyError> {
        match &decision[name] {
            Value::Array(a) if a.len() <= 1 => Ok(a.first().cloned().unwrap_or(Value::Undefined)),
            Value::Array(_) => Err(PolicyError::Eval(format!(
                "`{name}` has conflicting values"
            ))),
            _ => Err(PolicyError::Eval(format!(
                "the entry rule returned {}",
                short(decision)
            ))),
        }
    };
    let (deny, warn, allow) = (field("deny")?, field("warn")?, field("allow")?);
    let deny = messages("deny", &deny)?;
    let warn = messages("warn", &warn)?;
    let allow = match allow {
        Value::Bool(b) => b,
        Value::Undefined => false,
        other => {
            return Err(PolicyError::Shape(format!(
                "`allow` must be a boolean, got {}",
                short(&other)
            )));
        }
    };
    Ok(Decision {
        allow: allow && deny.is_empty(),
        deny,
        warn,
    })
}

fn classify(message: String, started: Instant, timeout: Duration) -> PolicyError {
    if is_timeout(&message) || started.elapsed() >= timeout {
        PolicyError::Timeout(timeout)
    } else {
        PolicyError::Eval(message)
    }
}

/// A reusable VM and the time limit its execution timer is set to.
type VmSlot = (RegoVM, Option<Duration>);

/// A compiled gate policy: its sources, digest, and the worker that evaluates it.
#[derive(Clone)]
pub struct Policy {
    digest: Digest,
    /// File names and texts, in load order.
    pub sources: Vec<(String, String)>,
    shared: Arc<Vec<(String, String)>>,
    worker: Arc<Mutex<Option<Worker>>>,
    /// `Some` exactly when this policy runs on the RVM (the built-in policy's bytecode).
    program: Option<Arc<Program>>,
    /// The RVM route's VM and its timer setting, reused across evaluations.
    vm: Arc<Mutex<Option<VmSlot>>>,
    timeout: Duration,
    max_input: usize,
    /// Why the policy was refused at load, when it was ([`Policy::load_or_refuse`]).
    refused: Option<String>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("digest", &self.digest)
            .field("engine", &self.engine())
            .field(
                "files",
                &self.sources.iter().map(|s| &s.0).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Policy {
    /// The built-in default policy.
    pub fn builtin() -> Policy {
        Policy::from_sources(vec![(DEFAULT_POLICY_NAME.into(), DEFAULT_POLICY.into())])
            .expect("the built-in policy compiles")
    }

    /// Compiles the given `(name, text)` sources. The RVM is chosen only when the digest is
    /// the built-in policy's and `TOLLGATE_POLICY_ENGINE` is not `interpreter`; every other
    /// policy runs on the interpreter.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Policy, PolicyError> {
        let digest = sources_digest(&sources);
        let shared = Arc::new(sources.clone());
        let program = if digest == builtin_digest() && !interpreter_forced() {
            Some(builtin_program()?)
        } else {
            None
        };
        // The RVM route needs no evaluator thread (see `evaluate_vm`).
        let worker = match &program {
            Some(_) => None,
            None => Some(Worker::start(shared.clone())?.0),
        };
        Ok(Policy {
            digest,
            sources,
            shared,
            worker: Arc::new(Mutex::new(worker)),
            program,
            vm: Arc::new(Mutex::new(None)),
            timeout: Duration::from_secs(2),
            max_input: 16 * 1024 * 1024,
            refused: None,
        })
    }

    /// A policy that denies every evaluation with `reason` (its digest is still that of
    /// `sources`, so the decision names the policy that was refused).
    fn refusing(sources: Vec<(String, String)>, reason: String) -> Policy {
        Policy {
            digest: sources_digest(&sources),
            shared: Arc::new(Vec::new()),
            sources,
            worker: Arc::new(Mutex::new(None)),
            program: None,
            vm: Arc::new(Mutex::new(None)),
            timeout: Duration::from_secs(2),
            max_input: 16 * 1024 * 1024,
            refused: Some(reason),
        }
    }

    /// [`Policy::load`] for the gate: a policy whose text is defective (does not compile,
    /// recurses, nests too deeply, overruns its load limit) loads as a policy that denies
    /// every evaluation with that reason — a policy failure is a deny, recorded like any
    /// other decision. A path that cannot be read stays an error.
    pub fn load_or_refuse(path: &Path) -> Result<Policy, PolicyError> {
        let sources = read_sources(path)?;
        match Policy::from_sources(sources.clone()) {
            Err(e) if e.is_policy_defect() => Ok(Policy::refusing(sources, e.to_string())),
            other => other,
        }
    }

    /// Why this policy was refused at load, if it was.
    pub fn refused(&self) -> Option<&str> {
        self.refused.as_deref()
    }

    /// Which engine evaluates this policy.
    pub fn engine(&self) -> EngineKind {
        if self.program.is_some() {
            EngineKind::Rvm
        } else {
            EngineKind::Interpreter
        }
    }

    /// The same policy on the interpreter (the reference the RVM route is compared with).
    pub fn with_interpreter(mut self) -> Result<Policy, PolicyError> {
        if self.refused.is_none() && self.program.take().is_some() {
            let (worker, _) = Worker::start(self.shared.clone())?;
            self.worker = Arc::new(Mutex::new(Some(worker)));
        }
        Ok(self)
    }

    /// Loads a `.rego` file, or every `.rego` file of a folder (sorted; `*_test.rego` too, so
    /// the same folder serves `policy test`). Test rules never affect the decision.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        Policy::from_sources(read_sources(path)?)
    }

    pub fn with_limits(mut self, timeout: Duration, max_input: usize) -> Policy {
        self.timeout = timeout;
        self.max_input = max_input;
        self
    }

    /// SHA-256 over every source's name and text: what approvals and summaries are bound to.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Evaluates the policy on `input` (serialized evidence), within the time limit. The input
    /// value is built directly from `input` ([`crate::value`]), never printed as JSON text.
    pub fn evaluate<T: serde::Serialize + ?Sized>(
        &self,
        input: &T,
    ) -> Result<Decision, PolicyError> {
        self.check_refused()?;
        let value = crate::value::to_value(input, self.max_input).map_err(|e| match e {
            crate::value::ToValueError::TooLarge { limit } => PolicyError::InputTooLarge {
                size: limit.saturating_add(1),
                limit,
            },
            other => PolicyError::Eval(other.to_string()),
        })?;
        self.evaluate_value(value)
    }

    /// Evaluates the policy on a JSON input document, within the time limit.
    pub fn evaluate_json(&self, json: &str) -> Result<Decision, PolicyError> {
        self.check_refused()?;
        if json.len() > self.max_input {
            return Err(PolicyError::InputTooLarge {
                size: json.len(),
                limit: self.max_input,
            });
        }
        let value = Value::from_json_str(json).map_err(|e| PolicyError::Eval(e.to_string()))?;
        self.evaluate_value(value)
    }

    /// The RVM route: evaluates on the caller's thread, bounded by the VM's own execution
    /// timer (checked every 64 instructions). The interpreter route's watchdog thread exists
    /// for builtins that can run long between two timer checks in arbitrary policies; the
    /// built-in policy calls only builtins linear in the input (`sprintf`, `count`,
    /// `startswith`, `object.get`, type checks), whose size is limited before evaluation, so
    /// the timer bounds it. Saves the thread round trip per evaluation (bench/policy). A panic
    /// inside the VM is caught and becomes an error (a deny), and the VM is discarded.
    fn evaluate_vm(&self, program: &Arc<Program>, input: Value) -> Result<Decision, PolicyError> {
        let mut slot = self.vm.lock().unwrap_or_else(|p| p.into_inner());
        let (mut vm, mut timer) = slot
            .take()
            .unwrap_or_else(|| (new_vm(program.clone()), None));
        let timeout = self.timeout;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            eval_vm(&mut vm, &mut timer, input, timeout)
        }));
        match result {
            Ok(decision) => {
                *slot = Some((vm, timer));
                decision
            }
            Err(_) => Err(PolicyError::Eval("the policy VM failed".into())),
        }
    }

    fn check_refused(&self) -> Result<(), PolicyError> {
        match &self.refused {
            Some(reason) => Err(PolicyError::Refused(reason.clone())),
            None => Ok(()),
        }
    }

    fn evaluate_value(&self, input: Value) -> Result<Decision, PolicyError> {
        self.check_refused()?;
        if let Some(program) = &self.program {
            return self.evaluate_vm(program, input);
        }
        let mut slot = self.worker.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(Worker::start(self.shared.clone())?.0);
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let sent = slot
            .as_ref()
            .map(|w| w.jobs.send((input, self.timeout, reply)).is_ok())
            .unwrap_or(false);
        if !sent {
            *slot = None;
            return Err(PolicyError::Eval("the evaluator stopped".into()));
        }
        match answer.recv_timeout(self.timeout + WATCHDOG_GRACE) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Abandon the stuck worker; the next evaluation starts a fresh one.
                *slot = None;
                Err(PolicyError::Timeout(self.timeout))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                *slot = None;
                Err(PolicyError::Eval("the evaluator crashed".into()))
            }
        }
    }
}

/// `deny` and `warn` must be sets (or arrays) of strings; undefined means empty.
fn messages(rule: &str, v: &Value) -> Result<Vec<String>, PolicyError> {
    let items: Vec<&Value> = match v {
        Value::Undefined => return Ok(Vec::new()),
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        other => {
            return Err(PolicyError::Shape(format!(
                "`{rule}` must be a set of strings, got {}",
                short(other)
            )));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => out.push(s.to_string()),
            other => {
                return Err(PolicyError::Shape(format!(
                    "`{rule}` must contain strings, got {}",
                    short(other)
                )));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn short(v: &Value) -> String {
    let s = v.to_json_str().unwrap_or_else(|_| format!("{v:?}"));
    if s.len() > 80 {
        format!("{}…", &s[..s.floor_char_boundary(80)])
    } else {
        s
    }
}

/// Reads a file or every `.rego` file in a folder (recursively, sorted).
pub fn read_sources(path: &Path) -> Result<Vec<(String, String)>, PolicyError> {
    let io = |p: &Path, source| PolicyError::Io {
        path: p.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    if path.is_dir() {
        collect(path, &mut files).map_err(|e| io(path, e))?;
        files.sort();
        if files.is_empty() {
            return Err(PolicyError::Empty(path.display().to_string()));
        }
    } else {
        files.push(path.to_path_buf());
    }
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).map_err(|e| io(&f, e))?;
            Ok((f.display().to_string(), text))
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "rego") {
            out.push(p);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Result<Policy, PolicyError> {
        Policy::from_sources(vec![("t.rego".into(), text.into())])
    }

    #[test]
    fn builtin_compiles_and_denies_empty_input() {
        let p = Policy::builtin();
        let d = p.evaluate_json("{}").unwrap();
        assert!(!d.allow);
    }

    #[test]
    fn allow_needs_true_and_no_deny() {
        let p = policy("package tollgate.gate\nimport rego.v1\nallow := true\ndeny contains \"no\" if input.x\n").unwrap();
        assert!(p.evaluate_json(r#"{"x": false}"#).unwrap().allow);
        let d = p.evaluate_json(r#"{"x": true}"#).unwrap();
        assert!(!d.allow);
        assert_eq!(d.deny, vec!["no"]);
        // No allow rule at all: never an allow.
        let p =
            policy("package tollgate.gate\nimport rego.v1\nwarn contains \"w\" if true\n").unwrap();
        let d = p.evaluate_json("{}").unwrap();
        assert!(!d.allow);
        assert_eq!(d.warn, vec!["w"]);
    }

    #[test]
    fn compile_errors_name_the_file() {
        let e = policy("package tollgate.gate\nallow := \n").unwrap_err();
        assert!(matches!(e, PolicyError::Compile { .. }), "{e}");
        assert!(e.to_string().starts_with("t.rego"), "{e}");
        let e = policy("package tollgate.gate\nimport rego.v1\nallow if undefined_fn(1)\n")
            .unwrap_err();
        assert!(matches!(e, PolicyError::Compile { .. }), "{e}");
    }

    #[test]
    fn wrong_shapes_are_errors() {
        let p = policy("package tollgate.gate\nallow := \"yes\"\n").unwrap();
        assert!(matches!(p.evaluate_json("{}"), Err(PolicyError::Shape(_))));
        let p = policy("package tollgate.gate\nallow := true\ndeny := 3\n").unwrap();
        assert!(matches!(p.evaluate_json("{}"), Err(PolicyError::Shape(_))));
        let p = policy(
            "package tollgate.gate\nimport rego.v1\nallow := true\ndeny contains 3 if true\n",
        )
        .unwrap();
        assert!(matches!(p.evaluate_json("{}"), Err(PolicyError::Shape(_))));
    }

    #[test]
    fn runaway_policy_times_out() {
        // 9 million iterations: stopped by the interpreter's own timer.
        let p = policy(
            "package tollgate.gate\nimport rego.v1\nallow if { count({x | some x in numbers.range(1, 3000); some y in numbers.range(1, 3000)}) > 0 }\n",
        )
        .unwrap()
        .with_limits(Duration::from_millis(100), 1 << 20);
        let started = Instant::now();
        let e = p.evaluate_json("{}").unwrap_err();
        assert!(matches!(e, PolicyError::Timeout(_)), "{e}");
        assert!(started.elapsed() < Duration::from_secs(5));
        // The worker is usable again afterwards (a fresh one if the old one was abandoned).
        assert!(matches!(
            p.evaluate_json("{}"),
            Err(PolicyError::Timeout(_))
        ));
    }

    #[test]
    fn watchdog_abandons_a_builtin_that_overruns() {
        // One builtin call that allocates millions of values between two timer checks. Its
        // size comes from the input, so the rule probes at load (on `{}`) do not run it.
        let p = policy(
            "package tollgate.gate\nimport rego.v1\nallow if { count(numbers.range(1, input.n)) > 0 }\n",
        )
        .unwrap()
        .with_limits(Duration::from_millis(20), 1 << 20);
        let started = Instant::now();
        let r = p.evaluate_json(r#"{"n": 3000000}"#);
        // Either the watchdog fired, or the machine was fast enough to finish: never an allow
        // reached after the deadline.
        if started.elapsed()
            > Duration::from_millis(20) + WATCHDOG_GRACE + Duration::from_millis(200)
        {
            panic!("watchdog did not fire: {:?}", started.elapsed());
        }
        if let Ok(d) = r {
            assert!(started.elapsed() < Duration::from_millis(300), "{d:?}");
        }
    }

    #[test]
    fn large_input_is_refused() {
        let p = Policy::builtin().with_limits(Duration::from_secs(1), 10);
        assert!(matches!(
            p.evaluate_json(r#"{"aaaaaaaaaaaaaa": 1}"#),
            Err(PolicyError::InputTooLarge { .. })
        ));
    }

    #[test]
    fn only_the_builtin_policy_runs_on_the_rvm() {
        // The test process does not set TOLLGATE_POLICY_ENGINE (checked: the assertions below
        // would be meaningless otherwise).
        assert!(!interpreter_forced());
        let b = Policy::builtin();
        assert_eq!(b.engine(), EngineKind::Rvm);
        assert_eq!(b.digest(), builtin_digest());
        assert_eq!(
            b.clone().with_interpreter().unwrap().engine(),
            EngineKind::Interpreter
        );
        // The built-in text under another name, the built-in text plus another file, and the
        // built-in text changed by one comment are user policies: interpreter.
        for sources in [
            vec![("default.rego".to_string(), DEFAULT_POLICY.to_string())],
            vec![
                (DEFAULT_POLICY_NAME.to_string(), DEFAULT_POLICY.to_string()),
                (
                    "extra.rego".to_string(),
                    "package tollgate.extra\nx := 1\n".to_string(),
                ),
            ],
            vec![(
                DEFAULT_POLICY_NAME.to_string(),
                format!("{DEFAULT_POLICY}# changed\n"),
            )],
        ] {
            let p = Policy::from_sources(sources).unwrap();
            assert_ne!(p.digest(), builtin_digest());
            assert_eq!(p.engine(), EngineKind::Interpreter, "{p:?}");
        }
        let p = policy("package tollgate.gate\nallow := true\n").unwrap();
        assert_eq!(p.engine(), EngineKind::Interpreter);
    }

    #[test]
    fn rvm_is_bounded_like_the_interpreter() {
        let p = Policy::builtin().with_limits(Duration::from_secs(1), 10);
        assert_eq!(p.engine(), EngineKind::Rvm);
        assert!(matches!(
            p.evaluate_json(r#"{"aaaaaaaaaaaaaa": 1}"#),
            Err(PolicyError::InputTooLarge { .. })
        ));
        // A zero time limit: the VM's own timer stops it; an error, never an allow.
        let p = Policy::builtin().with_limits(Duration::ZERO, 1 << 20);
        let r = p.evaluate_json("{}");
        assert!(matches!(r, Err(PolicyError::Timeout(_))), "{r:?}");
        // The VM's own execution timer stops it (not only the watchdog or `classify`).
        let mut vm = RegoVM::new();
        vm.load_program(builtin_program().unwrap());
        vm.set_max_instructions(usize::MAX);
        vm.set_execution_timer_config(Some(ExecutionTimerConfig {
            limit: Duration::from_nanos(1),
            check_interval: NonZeroU32::MIN,
        }));
        vm.set_input(Value::new_object());
        let e = vm.execute_entry_point_by_name(ENTRY).unwrap_err();
        assert!(is_timeout(&e.to_string()), "{e}");
        // And the route evaluates normally with a sane limit.
        let mut timer = None;
        let d = eval_vm(
            &mut vm,
            &mut timer,
            Value::new_object(),
            Duration::from_secs(2),
        )
        .unwrap();
        assert!(!d.allow && !d.deny.is_empty());
    }

    /// Issue 22 item 9: a recursive function overflowed the evaluator's stack and aborted the
    /// process (exit 134) while the policy was being loaded.
    #[test]
    fn recursion_is_refused_before_evaluation() {
        for text in [
            "package tollgate.gate\nimport rego.v1\nf(x) := y if { y := f(x) }\nallow if { f(1) }\n",
            "package tollgate.gate\nimport rego.v1\ndeny contains m if { m := g(1) }\ng(x) := y if { y := h(x + 1) }\nh(x) := g(x)\n",
        ] {
            let e = policy(text).unwrap_err();
            assert!(matches!(e, PolicyError::CallGraph { .. }), "{e}");
            assert!(e.is_policy_defect());
            assert!(e.to_string().starts_with("t.rego: recursion: "), "{e}");
            // `policy test` compiles the same way.
            let e = crate::ptest::run(&[("t.rego".into(), text.into())]).unwrap_err();
            assert!(e.to_string().contains("recursion"), "{e}");
        }
    }

    #[test]
    fn the_gate_loads_a_defective_policy_as_a_deny() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("p.rego");
        std::fs::write(
            &path,
            "package tollgate.gate\nimport rego.v1\nf(x) := y if { y := f(x) }\nallow if { f(1) }\n",
        )
        .unwrap();
        assert!(Policy::load(&path).is_err());
        let p = Policy::load_or_refuse(&path).unwrap();
        assert!(p.refused().is_some_and(|r| r.contains("recursion")));
        assert_eq!(p.digest(), sources_digest(&read_sources(&path).unwrap()));
        for r in [p.evaluate_json("{}"), p.evaluate(&serde_json::json!({}))] {
            let e = r.unwrap_err();
            assert!(matches!(e, PolicyError::Refused(_)), "{e}");
            assert!(
                e.to_string().contains("recursion: data.tollgate.gate.f"),
                "{e}"
            );
        }
        // A syntax error too; a missing path stays an error.
        std::fs::write(&path, "package tollgate.gate\nallow := \n").unwrap();
        assert!(Policy::load_or_refuse(&path).unwrap().refused().is_some());
        assert!(Policy::load_or_refuse(&d.path().join("missing.rego")).is_err());
    }

    #[test]
    fn the_deepest_accepted_nesting_fits_the_evaluator_stack() {
        // `allow` + f0..=fN is the longest chain accepted; every level also nests
        // comprehensions, so each frame is as large as a level gets.
        let n = crate::callgraph::MAX_CALL_DEPTH - 2;
        let mut t = String::from("package tollgate.gate\nimport rego.v1\n");
        for i in 0..n {
            t.push_str(&format!(
                "f{i}(x) := y if {{ y := [z | some z in [[w | some w in [f{}(x)]][0]]][0] }}\n",
                i + 1
            ));
        }
        t.push_str(&format!("f{n}(x) := x\nallow if f0(true)\n"));
        let p = policy(&t).unwrap();
        assert!(p.evaluate_json("{}").unwrap().allow);
    }

    #[test]
    fn a_builtin_that_overruns_at_load_is_abandoned() {
        // The probes at load evaluated this twice without a watchdog: ~10 s and ~1 GB for a
        // 2 s limit (issue 22 item 9).
        let text = "package tollgate.gate\nimport rego.v1\nallow if { count(numbers.range(1, 60000000)) > 0 }\n";
        let started = Instant::now();
        let e = policy(text).unwrap_err();
        assert!(matches!(e, PolicyError::LoadTimeout(_)), "{e}");
        assert!(started.elapsed() < LOAD_LIMIT + Duration::from_secs(1));
    }

    #[test]
    fn digest_changes_with_text() {
        let a = policy("package tollgate.gate\nallow := false\n").unwrap();
        let b = policy("package tollgate.gate\nallow := false # x\n").unwrap();
        assert_ne!(a.digest(), b.digest());
        assert_eq!(a.digest(), a.clone().digest());
    }
}
