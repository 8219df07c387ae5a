//! A real `impactmap serve` on 127.0.0.1:0, for the tests that need a process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    /// `host:port` the server listens on.
    pub address: String,
    /// Log lines up to the `listening on` line.
    pub log: Vec<String>,
    /// Every log line after it, read as the server writes them.
    later: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the binary on a fresh port and waits until it listens.
    pub fn start(db: &std::path::Path, extra: &[&str]) -> Self {
        #[expect(clippy::zombie_processes, reason = "Server's Drop waits for the child")]
        let mut child = Command::new(env!("CARGO_BIN_EXE_impactmap"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(extra)
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = Vec::new();
        let deadline = Instant::now() + Duration::from_mins(1);
        while Instant::now() < deadline {
            let line = lines.next().expect("server exited before listening").unwrap();
            log.push(line.clone());
            if let Some(address) = line.split("listening on http://").nth(1) {
                let later = Arc::new(Mutex::new(Vec::new()));
                let sink = later.clone();
                std::thread::spawn(move || {
                    lines.map_while(Result::ok).for_each(|line| sink.lock().unwrap().push(line));
                });
                return Self { child, address: address.trim().to_owned(), log, later };
            }
        }
        panic!("no 'listening on' line in {log:?}");
    }

    /// A plain HTTP/1.1 GET; returns the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        request(&self.address, "GET", path, &[], "").unwrap()
    }

    /// SIGTERM; the exit code. The whole log must be clean: no `WARN` or
    /// `ERROR` line, no panic (as martin's e2e tests end with `assert_log_clean`).
    pub fn terminate(self) -> i32 {
        self.terminate_with_log().0
    }

    /// [`Server::terminate`], also giving the whole log.
    pub fn terminate_with_log(self) -> (i32, Vec<String>) {
        self.stop_checking_log(&[])
    }

    /// [`Server::terminate`], where a problem line containing one of
    /// `expected` is what the test provoked.
    pub fn terminate_expecting(self, expected: &[&str]) -> i32 {
        self.stop_checking_log(expected).0
    }

    fn stop_checking_log(mut self, expected: &[&str]) -> (i32, Vec<String>) {
        let status = self.stop("TERM");
        // The reader thread ends with the pipe, so the log is complete once it is closed.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Arc::strong_count(&self.later) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let later = self.later.lock().unwrap().clone();
        let problems: Vec<&String> = self
            .log
            .iter()
            .chain(&later)
            .filter(|l| l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("panicked"))
            .filter(|l| !expected.iter().any(|e| l.contains(e)))
            .collect();
        assert!(problems.is_empty(), "the server logged problems: {problems:#?}");
        (status.code().unwrap(), self.log.iter().chain(&later).cloned().collect())
    }

    /// SIGKILL: the process dies mid-work, as in a crash.
    pub fn kill(mut self) {
        assert!(!self.stop("KILL").success());
    }

    fn stop(&mut self, name: &str) -> std::process::ExitStatus {
        Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`); the
/// status code and the body, or the I/O error of a server that went away.
pub fn request(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    let head = headers.iter().fold(head, |head, (name, value)| head + name + ": " + value + "\r\n");
    write!(stream, "{head}\r\n{body}")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) =
        response.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("no response head"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    Ok((status, body.to_owned()))
}

impl Drop for Server {
    /// A test that fails half-way still leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
