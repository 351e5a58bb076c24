//! The proxy's side towards the real server: one kept-alive connection per client connection.

use super::wire::{self, Request, Response};
use std::io;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub(super) struct Upstream {
    address: String,
    connection: Option<BufReader<TcpStream>>,
}

impl Upstream {
    /// `address` is `host:port`.
    pub(super) fn new(address: &str) -> Upstream {
        Upstream {
            address: address.to_string(),
            connection: None,
        }
    }

    /// Sends `request` and reads the whole answer.
    pub(super) async fn exchange(&mut self, request: &Request) -> io::Result<Response> {
        let bytes = request.encode();
        if let Some(mut connection) = self.connection.take() {
            // The server may have closed an idle kept-alive connection: then try a new one.
            if let Ok(Some(response)) = send(&mut connection, &bytes).await {
                return Ok(self.keep(connection, response));
            }
        }
        let stream = TcpStream::connect(&self.address).await?;
        stream.set_nodelay(true)?;
        let mut connection = BufReader::new(stream);
        match send(&mut connection, &bytes).await? {
            Some(response) => Ok(self.keep(connection, response)),
            None => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection without answering",
            )),
        }
    }

    fn keep(&mut self, connection: BufReader<TcpStream>, response: Response) -> Response {
        if !response.closes {
            self.connection = Some(connection);
        }
        response
    }
}

async fn send(connection: &mut BufReader<TcpStream>, bytes: &[u8]) -> io::Result<Option<Response>> {
    connection.get_mut().write_all(bytes).await?;
    wire::read_response(connection).await
}
