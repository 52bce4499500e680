"""A tiny order service: enough real-looking code to scan."""

import os

from flask import Flask, jsonify

app = Flask(__name__)

# Read configuration from the environment: the right way.
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost/orders")


@app.route("/health")
def health():
    return jsonify(status="ok")


@app.route("/orders/<int:order_id>")
def order(order_id: int):
    return jsonify(id=order_id, status="shipped")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8080")))
