// A minimal expected<T, E> for the wire helpers (std::expected is C++23): a value or an error,
// never both, so API results can report failures as values instead of exceptions.
// Invariant: exactly one alternative is held; accessors assert nothing, callers check first.
#pragma once
#include <utility>
#include <variant>

namespace drover::api {

template <class E>
struct Unexpected {
    E error;
};

template <class E>
Unexpected<E> unexpected(E error) {
    return Unexpected<E>{std::move(error)};
}

template <class T, class E>
class Expected {
  public:
    Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Expected(Unexpected<E> u) : state_(std::in_place_index<1>, std::move(u.error)) {}

    bool has_value() const { return state_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    // Preconditions: has_value() for value()/operator*/operator->, !has_value() for error().
    const T& value() const& { return std::get<0>(state_); }
    T& value() & { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    const T& operator*() const& { return value(); }
    T& operator*() & { return value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }
    const E& error() const { return std::get<1>(state_); }

  private:
    std::variant<T, E> state_;
};

}  // namespace drover::api
