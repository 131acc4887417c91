#include "adapters/curl_pool.hpp"

#include <stdexcept>

namespace pf::adapters {

CurlPool::CurlPool() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlPool::Lease CurlPool::take() {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
        CURL* handle = idle_.back().release();
        idle_.pop_back();
        curl_easy_reset(handle);
        return Lease(*this, handle);
    }
    CURL* handle = curl_easy_init();
    if (!handle) throw std::runtime_error("curl_easy_init failed");
    return Lease(*this, handle);
}

void CurlPool::give_back(CURL* handle) {
    std::lock_guard lock(mutex_);
    idle_.emplace_back(handle);
}

}  // namespace pf::adapters
