// Boost.Beast HTTP/1.1 and HTTPS server around Api. One coroutine per connection, on its own
// strand; the Api calls (SQLite) run on the server's threads.
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include "webui/server.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "webui/tls.h"

namespace otsentry::webui {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::pair<std::string, uint16_t> parse_listen(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        throw std::invalid_argument("listen address must be ADDR:PORT");
    auto host = text.substr(0, colon);
    const auto port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535)
        throw std::invalid_argument("listen port must be 0..65535");
    boost::system::error_code aec;
    asio::ip::make_address(std::string(host), aec);
    if (aec) throw std::invalid_argument("listen address is not an IP address: " + std::string(host));
    return {std::string(host), static_cast<uint16_t>(port)};
}

struct Server::Impl {
    ServerConfig cfg;
    std::unique_ptr<Api> api;
    std::optional<ssl::context> tls;
    std::atomic<int> connections{0}, busy{0}, streams{0};
    std::atomic<bool> stopping{false};
    asio::io_context ioc;  // after what its pending coroutines use: destroyed before them
    tcp::acceptor acceptor{ioc};
    std::vector<std::thread> threads;
    uint16_t port = 0;
    std::string host;
    std::mutex stop_mutex;
    bool stopped = false;
};

namespace {

// Counts a value up for the lifetime of the guard.
class Count {
public:
    explicit Count(std::atomic<int>& c) : c_(c) { ++c_; }
    ~Count() { --c_; }
    Count(const Count&) = delete;
    Count& operator=(const Count&) = delete;

private:
    std::atomic<int>& c_;
};

template <class Body>
void add_common_headers(http::response<Body>& res)
{
    res.set(http::field::server, "otsentry");
    for (const auto& [name, value] : Api::security_headers())
        res.set(name, value);
}

http::response<http::string_body> to_beast(Response r, unsigned version, bool head)
{
    http::response<http::string_body> res{static_cast<http::status>(r.status), version};
    add_common_headers(res);
    res.set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers)
        res.insert(name, value);
    const auto size = r.body.size();
    if (!head) res.body() = std::move(r.body);
    res.content_length(size);
    return res;
}

http::response<http::string_body> error_reply(http::status status, std::string_view code,
                                              std::string_view message)
{
    Response r;
    r.status = static_cast<int>(status);
    r.body = std::string(R"({"error":{"code":")") + std::string(code) + R"(","message":")" +
             std::string(message) + "\"}}";
    r.headers.emplace_back("Cache-Control", "no-store");
    auto res = to_beast(std::move(r), 11, false);
    res.keep_alive(false);
    return res;
}

template <class Stream>
asio::awaitable<void> event_stream(Server::Impl& s, Stream& stream, const Request& req, int64_t after_id,
                                   unsigned version)
{
    Count streaming(s.streams);
    http::response<http::empty_body> res{http::status::ok, version};
    add_common_headers(res);
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(false);  // the body runs until the connection closes
    http::response_serializer<http::empty_body> sr{res};
    boost::system::error_code ec;
    beast::get_lowest_layer(stream).expires_after(s.cfg.read_timeout);
    co_await http::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    std::string data = ": connected\n\n";
    auto last_write = std::chrono::steady_clock::now();
    while (!s.stopping) {
        if (!data.empty()) {
            beast::get_lowest_layer(stream).expires_after(s.cfg.read_timeout);
            co_await asio::async_write(stream, asio::buffer(data),
                                       asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            last_write = std::chrono::steady_clock::now();
        }
        timer.expires_after(s.cfg.stream_poll);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (s.stopping || !s.api->session_alive(req.cookie)) break;
        data = s.api->stream_events(after_id);
        if (data.empty() && std::chrono::steady_clock::now() - last_write >= s.cfg.stream_keepalive)
            data = ": keep-alive\n\n";
    }
}

// After an error reply to a request that was not read whole: half-close and read what the client
// still sends (at most 4 MiB or 1 s) before closing, so that closing with unread data (a TCP reset)
// does not destroy the reply before the client reads it.
template <class Stream>
asio::awaitable<void> drain(Stream& stream)
{
    auto& tcp_stream = beast::get_lowest_layer(stream);
    boost::system::error_code ec;
    tcp_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_stream.expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> discard{};
    size_t total = 0;
    while (!ec && total < 4 * 1024 * 1024)
        total += co_await tcp_stream.async_read_some(asio::buffer(discard),
                                                     asio::redirect_error(asio::use_awaitable, ec));
}

template <class Stream>
asio::awaitable<void> serve_requests(Server::Impl& s, Stream& stream, const std::string& peer)
{
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    while (!s.stopping) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(s.cfg.header_limit);
        parser.body_limit(s.cfg.body_limit);
        beast::get_lowest_layer(stream).expires_after(s.cfg.read_timeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            std::optional<http::response<http::string_body>> reply;
            if (ec == http::error::body_limit)
                reply = error_reply(http::status::payload_too_large, "payload_too_large",
                                    "the body is too large");
            else if (ec == http::error::header_limit)
                reply = error_reply(http::status::request_header_fields_too_large, "headers_too_large",
                                    "the request headers are too large");
            else if (ec.category() == make_error_code(http::error::bad_target).category() &&
                     ec != http::error::end_of_stream && ec != http::error::partial_message)
                reply = error_reply(http::status::bad_request, "bad_request", "malformed HTTP request");
            if (reply) {
                beast::get_lowest_layer(stream).expires_after(s.cfg.read_timeout);
                co_await http::async_write(stream, *reply, asio::redirect_error(asio::use_awaitable, ec));
                co_await drain(stream);
            }
            co_return;
        }
        Count working(s.busy);
        auto& msg = parser.get();
        Request req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        req.cookie = std::string(msg[http::field::cookie]);
        req.csrf = std::string(msg["X-CSRF-Token"]);
        req.content_type = std::string(msg[http::field::content_type]);
        req.body = std::move(msg.body());
        req.peer = peer;
        req.last_event_id = std::string(msg["Last-Event-ID"]);
        auto r = s.api->handle(req);
        if (r.event_stream) {
            co_await event_stream(s, stream, req, r.stream_after_id, msg.version());
            co_return;
        }
        auto res = to_beast(std::move(r), msg.version(), msg.method() == http::verb::head);
        res.keep_alive(msg.keep_alive() && !s.stopping);
        beast::get_lowest_layer(stream).expires_after(s.cfg.read_timeout);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !res.keep_alive()) co_return;
    }
}

asio::awaitable<void> session(Server::Impl& s, tcp::socket socket)
{
    Count connected(s.connections);
    boost::system::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    const std::string peer = ec ? std::string("?") : remote.address().to_string();
    if (!s.tls) {
        beast::tcp_stream stream(std::move(socket));
        co_await serve_requests(s, stream, peer);
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *s.tls);
    beast::get_lowest_layer(stream).expires_after(s.cfg.read_timeout);
    co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await serve_requests(s, stream, peer);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> accept_loop(Server::Impl& s)
{
    for (;;) {
        boost::system::error_code ec;
        auto socket = co_await s.acceptor.async_accept(asio::make_strand(s.ioc),
                                                       asio::redirect_error(asio::use_awaitable, ec));
        if (s.stopping || !s.acceptor.is_open()) co_return;
        if (ec) continue;
        if (s.connections >= s.cfg.max_connections) {
            socket.close(ec);  // over the cap: refused at once
            continue;
        }
        auto ex = socket.get_executor();
        asio::co_spawn(ex, session(s, std::move(socket)), asio::detached);
    }
}

}  // namespace

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>())
{
    auto& s = *impl_;
    s.cfg = std::move(config);
    const auto [host, port] = parse_listen(s.cfg.listen);
    if (s.cfg.tls_cert.empty() != s.cfg.tls_key.empty())
        throw std::invalid_argument("give both --tls-cert and --tls-key");
    if (!s.cfg.tls_self_signed_dir.empty() && !s.cfg.tls_cert.empty())
        throw std::invalid_argument("--tls-self-signed and --tls-cert exclude each other");
    if (!s.cfg.tls_self_signed_dir.empty()) {
        const auto files = ensure_self_signed(s.cfg.tls_self_signed_dir);
        s.cfg.tls_cert = files.cert_path;
        s.cfg.tls_key = files.key_path;
    }
    if (!s.cfg.tls_cert.empty()) {
        s.tls.emplace(ssl::context::tls_server);
        s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                           ssl::context::single_dh_use);
        boost::system::error_code ec;
        s.tls->use_certificate_chain_file(s.cfg.tls_cert, ec);
        if (ec) throw std::runtime_error(s.cfg.tls_cert + ": cannot load the certificate: " + ec.message());
        s.tls->use_private_key_file(s.cfg.tls_key, ssl::context::pem, ec);
        if (ec) throw std::runtime_error(s.cfg.tls_key + ": cannot load the private key: " + ec.message());
    }
    s.cfg.api.db_path = s.cfg.db_path;
    s.cfg.api.tls = s.tls.has_value();
    s.api = std::make_unique<Api>(s.cfg.api);

    const tcp::endpoint ep(asio::ip::make_address(host), port);
    s.acceptor.open(ep.protocol());
    s.acceptor.set_option(asio::socket_base::reuse_address(true));
    boost::system::error_code ec;
    s.acceptor.bind(ep, ec);
    if (ec) throw std::runtime_error("cannot listen on " + s.cfg.listen + ": " + ec.message());
    s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + s.cfg.listen + ": " + ec.message());
    s.port = s.acceptor.local_endpoint().port();
    s.host = host;
}

Server::~Server()
{
    stop();
}

void Server::start()
{
    auto& s = *impl_;
    asio::co_spawn(s.acceptor.get_executor(), accept_loop(s), asio::detached);
    for (int i = 0; i < std::max(1, s.cfg.threads); ++i)
        s.threads.emplace_back([&s] { s.ioc.run(); });
}

void Server::stop()
{
    auto& s = *impl_;
    const std::lock_guard lock(s.stop_mutex);
    if (s.stopped) return;
    s.stopped = true;
    s.stopping = true;
    asio::post(s.acceptor.get_executor(), [&s] {
        boost::system::error_code ec;
        s.acceptor.close(ec);
    });
    if (!s.threads.empty()) {
        const auto deadline = std::chrono::steady_clock::now() + s.cfg.stop_grace;
        while ((s.busy > 0 || s.streams > 0) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    s.ioc.stop();
    for (auto& t : s.threads)
        t.join();
    s.threads.clear();
}

uint16_t Server::port() const
{
    return impl_->port;
}

bool Server::tls() const
{
    return impl_->tls.has_value();
}

std::string Server::url() const
{
    const bool v6 = impl_->host.find(':') != std::string::npos;
    return std::string(tls() ? "https://" : "http://") + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" +
           std::to_string(impl_->port) + "/";
}

Api& Server::api()
{
    return *impl_->api;
}

}  // namespace otsentry::webui
