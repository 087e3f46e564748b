// The device's queue of sealed cases (IndexedDB): ciphertext, the coded
// answers and the manifest only, never plaintext and never the case key.
// A sent case keeps its case id and receipt link; its ciphertext is deleted.

const DB = "witnessbox-intake";
const STORE = "cases";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const putCase = (item) => run("readwrite", (store) => store.put(item));
export const allCases = () => run("readonly", (store) => store.getAll());
export const deleteCase = (id) => run("readwrite", (store) => store.delete(id));
