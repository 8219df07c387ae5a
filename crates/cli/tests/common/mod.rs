//! A real `impactmap serve` on 127.0.0.1:0, for the tests that need a process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    /// `host:port` the server listens on.
    pub address: String,
    /// Log lines up to the `listening on` line.
    pub log: Vec<String>,
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
                std::thread::spawn(move || lines.for_each(drop));
                return Self { child, address: address.trim().to_owned(), log };
            }
        }
        panic!("no 'listening on' line in {log:?}");
    }

    /// A plain HTTP/1.1 GET; returns the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        request(&self.address, "GET", path, &[], "").unwrap()
    }

    /// SIGTERM; the exit code.
    pub fn terminate(self) -> i32 {
        self.signal("TERM").code().unwrap()
    }

    /// SIGKILL: the process dies mid-work, as in a crash.
    pub fn kill(self) {
        assert!(!self.signal("KILL").success());
    }

    fn signal(mut self, name: &str) -> std::process::ExitStatus {
        Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap()
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`); the
/// status code and the body, or the I/O error of a server that went away.
pub fn request(address: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    let head = format!("{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    let head = headers.iter().fold(head, |head, (name, value)| head + name + ": " + value + "\r\n");
    write!(stream, "{head}\r\n{body}")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("no response head"))?;
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other("no status"))?;
    Ok((status, body.to_owned()))
}

impl Drop for Server {
    /// A test that fails half-way still leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
