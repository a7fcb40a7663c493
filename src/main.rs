//! The `tariffsim` binary: parses arguments (`cli.rs`), calls the library's
//! commands, prints, and maps outcomes to exit codes (0 success, 1 the run
//! failed, 2 bad input or usage, 130 interrupted). All work lives in the
//! library (`tariffsim::commands`).

mod cli;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tariffsim::commands::{self, CommandError, Ui};

/// Write to stdout. A closed pipe (`tariffsim explain | head`) ends quietly;
/// any other write error (a full disk behind a redirect) is exit 1.
fn out(text: &str) -> Result<(), ExitCode> {
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write the output: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// `out`, then exit 0 (or the code `out` chose).
fn print_all(text: &str) -> ExitCode {
    out(text).map_or_else(|c| c, |()| ExitCode::SUCCESS)
}

fn err(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Notes on stderr, results on stdout, a progress bar on a terminal.
struct Terminal {
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Ui for Terminal {
    fn note(&self, text: &str) {
        err(text);
    }
    fn print(&self, text: &str) {
        let _ = out(&format!("{text}\n"));
    }
    fn progress_start(&self, total: u64) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        *self.bar.lock().unwrap_or_else(|p| p.into_inner()) = Some(b);
    }
    fn progress(&self, done: u64) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            b.set_position(done);
        }
    }
    fn progress_end(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|p| p.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}

/// Set by Ctrl-C (SIGINT), SIGTERM (a scheduler's time limit or `scancel`,
/// a pod being stopped) or SIGHUP: the engine stops at the next chunk,
/// nothing is committed, the temporary folder is removed. A second signal
/// exits at once.
static CANCEL: AtomicBool = AtomicBool::new(false);

fn install_interrupt_handler() -> &'static AtomicBool {
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    &CANCEL
}

fn finish(result: Result<PathBuf, CommandError>) -> ExitCode {
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                CommandError::Input(text) => {
                    let _ = write!(std::io::stderr(), "{text}");
                }
                other => err(&other.to_string()),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let ui = Terminal {
        bar: Mutex::new(None),
    };
    match cli.command {
        Command::Run(a) => match a.options() {
            Ok(o) => finish(commands::run::run(&o, &ui, install_interrupt_handler())),
            Err(e) => finish(Err(e)),
        },
        Command::Compare(a) => match a.options() {
            Ok(o) => finish(commands::compare::compare(
                &o,
                &ui,
                install_interrupt_handler(),
            )),
            Err(e) => finish(Err(e)),
        },
        Command::Sweep(a) => match a.options() {
            Ok(o) => finish(commands::sweep::sweep(&o, &ui, install_interrupt_handler())),
            Err(e) => finish(Err(e)),
        },
        Command::Sensitivity(a) => match a.options() {
            Ok(o) => finish(commands::sensitivity::sensitivity(
                &o,
                &ui,
                install_interrupt_handler(),
            )),
            Err(e) => finish(Err(e)),
        },
        Command::Merge(a) => finish(commands::merge::merge(
            &a.options(),
            &ui,
            install_interrupt_handler(),
        )),
        Command::Validate { scenarios, sets } => validate(&scenarios, &sets),
        Command::Explain {
            scenario,
            sets,
            params,
        } => match commands::load(&scenario, &sets) {
            Ok(sc) if params => print_all(&tariffsim::explain::params(&sc)),
            Ok(sc) => print_all(&tariffsim::explain::explain(&sc)),
            Err(e) => finish(Err(e)),
        },
        Command::Init { path } => init(&path),
        Command::Schema => print_all(&tariffsim::scenario::schema::schema_text()),
        Command::Completions { shell } => completions(shell),
        Command::Man { out: None } => man_page(),
        Command::Man { out: Some(dir) } => man_pages(&dir),
    }
}

/// The completion script of `shell`, generated from the clap definitions.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tariffsim", &mut buf);
    print_all(&String::from_utf8_lossy(&buf))
}

/// The main man page (its SUBCOMMANDS section lists every command).
fn man_page() -> ExitCode {
    let mut buf = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
        Ok(()) => print_all(&String::from_utf8_lossy(&buf)),
        Err(e) => {
            err(&format!("error: cannot render the man page: {e}"));
            ExitCode::from(1)
        }
    }
}

/// tariffsim.1 and one page per command (tariffsim-run.1, ...) in `dir`.
fn man_pages(dir: &Path) -> ExitCode {
    let written =
        std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir));
    match written {
        Ok(()) => print_all(&format!(
            "wrote the man pages to {}\nnext: man -l {}\n",
            dir.display(),
            dir.join("tariffsim.1").display()
        )),
        Err(e) => {
            err(&format!(
                "error: cannot write the man pages to {}: {e}",
                dir.display()
            ));
            ExitCode::from(1)
        }
    }
}

fn validate(paths: &[PathBuf], sets: &[String]) -> ExitCode {
    let mut bad = false;
    for p in paths {
        match commands::load(p, sets) {
            Ok(sc) => {
                let line = format!(
                    "ok  {} ({}: {} economies, {} sectors, {} measures, {} rules)\n",
                    p.display(),
                    sc.meta.name,
                    sc.economies.len(),
                    sc.sectors.len(),
                    sc.measures.len(),
                    sc.rules.len()
                );
                if let Err(code) = out(&line) {
                    return code;
                }
            }
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "{e}");
                err(&format!("invalid  {}", p.display()));
                bad = true;
            }
        }
    }
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn init(path: &Path) -> ExitCode {
    match tariffsim::init::write_starter(path) {
        Ok(data_path) => print_all(&format!(
            "wrote {} and {}\nnext: tariffsim explain {0}; tariffsim run {0}\n",
            path.display(),
            data_path.display()
        )),
        Err(e) => finish(Err(e)),
    }
}
