#pragma once
// libcurl easy handles kept between transfers, so each adapter reuses its
// connections (libcurl keeps them open on the handle). One handle per
// concurrent sender; a lease gives it back when it goes out of scope.

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <vector>

namespace pf::adapters {

class CurlPool {
  public:
    CurlPool();
    CurlPool(const CurlPool&) = delete;
    CurlPool& operator=(const CurlPool&) = delete;

    class Lease {
      public:
        Lease(CurlPool& pool, CURL* handle) : pool_(&pool), handle_(handle) {}
        ~Lease() {
            if (handle_) pool_->give_back(handle_);
        }
        Lease(Lease&& other) noexcept : pool_(other.pool_), handle_(other.handle_) {
            other.handle_ = nullptr;
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        CURL* get() const { return handle_; }

      private:
        CurlPool* pool_;
        CURL* handle_;
    };

    // A handle with its options reset (connections and caches kept); throws
    // std::runtime_error when libcurl cannot make one.
    Lease take();

  private:
    struct Cleanup {
        void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
    };
    void give_back(CURL* handle);

    std::mutex mutex_;
    std::vector<std::unique_ptr<CURL, Cleanup>> idle_;
};

}  // namespace pf::adapters
